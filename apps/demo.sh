#!/usr/bin/env bash
# The demo behind ./run demo: three synod members as separate processes on this machine, every
# member broadcasting, the leader killed (kill -9) halfway and restarted; at the end each
# member's delivered count and the digest of its delivery sequence, which must all be equal.
#   apps/demo.sh PATH/TO/synod [messages per member, default 20000]
set -euo pipefail
synod="$1"
count="${2:-50000}"
base="${SYNOD_DEMO_PORT:-7601}"
work=$(mktemp -d "${TMPDIR:-/tmp}/synod-demo-XXXXXX")
pids=()
cleanup() { kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cat > "$work/group.ini" <<INI
[synod]
group="demo"
members=["1@127.0.0.1:$base", "2@127.0.0.1:$((base + 1))", "3@127.0.0.1:$((base + 2))"]
data-dir="$work/data"
INI
start() {
  "$synod" node --config "$work/group.ini" --id "$1" >> "$work/node$1.log" 2>&1 &
  pids[$1]=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/node$1.log" 2>/dev/null && return; sleep 0.05; done
  echo "demo: node $1 did not start:"; tail -3 "$work/node$1.log"; exit 1
}
echo "starting 3 members (data in $work)"
for i in 1 2 3; do start "$i"; done
sleep 0.5
echo "every member broadcasts $count messages of 64 bytes; member 1 leads"
for i in 1 2 3; do
  "$synod" broadcast --config "$work/group.ini" --id "$i" --count "$count" --tag "m$i" \
    > "$work/broadcast$i.out" 2> "$work/broadcast$i.err" &
  senders[$i]=$!
done
sleep 0.6
echo "kill -9 of the leader, member 1"
kill -9 "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
sleep 1
grep -h "leader is now" "$work/node2.log" | tail -1 | sed 's/^.*info /  member 2 says: /'
echo "restarting member 1: it recovers from its SQLite log and catches up"
start 1
for i in 2 3; do wait "${senders[$i]}"; echo "  $(cat "$work/broadcast$i.out")"; done
wait "${senders[1]}" || echo "  member 1's broadcaster lost its member midway (its undelivered messages are not owed)"
sleep 1
echo "what each member delivered, in order:"
digests=()
for i in 1 2 3; do
  "$synod" tail --config "$work/group.ini" --id "$i" --snapshot --json > "$work/tail$i.json"
  n=$(wc -l < "$work/tail$i.json")
  d=$(sed 's/^{"node":[0-9]*,/{/' "$work/tail$i.json" | sha256sum | cut -c1-16)
  digests+=("$n:$d")
  echo "  member $i: $n messages, sequence digest $d"
done
if [ "${digests[0]}" = "${digests[1]}" ] && [ "${digests[1]}" = "${digests[2]}" ]; then
  echo "all three members delivered the same messages in the same order"
else
  echo "members disagree"; exit 1
fi
