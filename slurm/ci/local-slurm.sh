#!/usr/bin/env bash
# A throw-away single-node Slurm cluster for the integration tests (Debian 12, Slurm 22.05).
#
#   slurm/ci/local-slurm.sh start    install slurm-wlm + munge if missing, start munged (if no
#                                     munge daemon answers), slurmctld and slurmd; wait until
#                                     the node is idle
#   slurm/ci/local-slurm.sh stop     stop exactly the daemons this script started
#   slurm/ci/local-slurm.sh status   print sinfo, or fail when the cluster is down
#   slurm/ci/local-slurm.sh env      print the export line clients need (SLURM_CONF)
#
# Everything (configuration, state, logs, pid files) lives in $TRIM_SLURM_DIR (default
# /tmp/trim-slurm), so /etc/slurm is left alone; clients find the cluster through
# SLURM_CONF=$TRIM_SLURM_DIR/slurm.conf. It needs root: the daemons run as root, without
# systemd and without cgroups (proctrack/linuxproc, task/none). MpiDefault=pmix because Debian's
# Open MPI only starts under srun through PMIx.
set -euo pipefail

DIR=${TRIM_SLURM_DIR:-/tmp/trim-slurm}
CONF=$DIR/slurm.conf
export SLURM_CONF=$CONF

log() { echo "local-slurm: $*" >&2; }

pid_alive() {  # pid_alive FILE: the pid in FILE is a running process
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

install_missing() {
  local want=() p
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want+=("$p")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  log "installing ${want[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" \
    >/dev/null
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "a munge daemon already answers; using it"
    return 0
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create >/dev/null 2>&1 || create-munge-key -f >/dev/null
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged
  local i
  for i in $(seq 1 50); do
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
      # munged (user munge) writes its pid under /run/munge; keep a copy beside ours so that
      # stop ends this daemon and never one that was running before.
      cp /run/munge/munged.pid "$DIR/munged.pid"
      return 0
    fi
    sleep 0.1
  done
  log "munged did not come up"
  return 1
}

write_conf() {
  local node node_line
  node=$(hostname -s)
  # slurmd -C reports this machine's real topology; a node line that promises more than the
  # machine has would be drained.
  node_line=$(/usr/sbin/slurmd -C | head -n 1)
  [[ $node_line == NodeName=* ]] || { log "unexpected 'slurmd -C' output: $node_line"; return 1; }
  cat >"$CONF" <<EOF
# Written by slurm/ci/local-slurm.sh: one node, root daemons, no cgroups, no accounting.
ClusterName=trimci
SlurmctldHost=${node}(127.0.0.1)
SlurmctldPort=6817
SlurmdPort=6818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/d
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
${node_line} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP
EOF
}

wait_idle() {
  local node i state
  node=$(hostname -s)
  for i in $(seq 1 120); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
    case "$state" in
      idle | mixed | allocated) return 0 ;;
    esac
    sleep 0.5
  done
  log "the node did not become idle (state: '${state}'); logs: $DIR/slurmctld.log $DIR/slurmd.log"
  tail -n 20 "$DIR/slurmctld.log" "$DIR/slurmd.log" >&2 || true
  return 1
}

start() {
  [ "$(id -u)" -eq 0 ] || { log "must run as root (the test daemons run as root)"; return 1; }
  if pid_alive "$DIR/slurmctld.pid" && pid_alive "$DIR/slurmd.pid"; then
    log "already running (SLURM_CONF=$CONF)"
    wait_idle
    return 0
  fi
  install_missing
  mkdir -p "$DIR"
  stop_daemons quiet
  # Fresh state every start: no jobs left over from an earlier run.
  rm -rf "$DIR/ctld" "$DIR/d"
  mkdir -p "$DIR/ctld" "$DIR/d"
  start_munge
  write_conf
  /usr/sbin/slurmctld -f "$CONF"
  /usr/sbin/slurmd -f "$CONF"
  wait_idle
  log "up: SLURM_CONF=$CONF"
  sinfo
}

stop_daemons() {
  local f pid i
  for f in slurmd slurmctld munged; do
    pid_alive "$DIR/$f.pid" || { rm -f "$DIR/$f.pid"; continue; }
    pid=$(cat "$DIR/$f.pid")
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    rm -f "$DIR/$f.pid"
    [ "${1:-}" = quiet ] || log "stopped $f ($pid)"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop_daemons ;;
  status) sinfo ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
