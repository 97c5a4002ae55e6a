# Shell helpers shared by the side-by-side benchmark scripts (sourced, not
# run). The caller defines die(), PYTHON, TARGETS_PY, BASE_PORT and the PIDS
# array (killed by its cleanup).

now() { date +%s.%N; }
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_targets TARGETS SERIES DURATION_S LOG [WAIT_S]: runs targets.py on
# ports BASE_PORT.. and waits (at most WAIT_S, default 180) until every one
# listens; sets TPID.
start_targets() {
  local targets=$1 series=$2 duration=$3 log=$4 wait=${5:-180} p deadline
  local last=$((BASE_PORT + targets - 1))
  for ((p = BASE_PORT; p <= last; p++)); do
    ! port_open "$p" || die "port $p is already in use (set BASE_PORT)"
  done
  "$PYTHON" "$TARGETS_PY" --base-port "$BASE_PORT" --targets "$targets" --series "$series" \
    --duration "$duration" >"$log" 2>&1 &
  TPID=$!
  PIDS+=("$TPID")
  deadline=$((SECONDS + wait))
  for ((p = BASE_PORT; p <= last; p++)); do
    until port_open "$p"; do
      alive "$TPID" || { cat "$log" >&2; die "targets.py exited"; }
      [ $SECONDS -lt $deadline ] || die "targets not listening on port $p after $wait s"
      sleep 0.1
    done
  done
}
