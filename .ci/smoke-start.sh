#!/usr/bin/env bash
# The README's first command on a clean clone: `npm start` must serve the sample.
set -euo pipefail
port=${PORT:-8788}
log=$(mktemp)
PORT=$port npm start >"$log" 2>&1 &
pid=$!
# SIGTERM to npm alone stops wrangler and workerd (test/node/start-signals.test.ts).
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1; then break; fi
  sleep 1
done
health=$(curl -fsS "http://127.0.0.1:$port/v1/health") || { echo "npm start did not serve /v1/health"; cat "$log"; exit 1; }
echo "npm start serves: $health"
feed=$(curl -fsS "http://localhost:$port/v1/feed?limit=3")
[[ $feed == *'"items":[{'* ]] || { echo "feed is empty: $feed"; exit 1; }
rss=$(curl -fsS "http://localhost:$port/feed.xml")
[[ $rss == *'<rss '* ]] || { echo "RSS missing"; exit 1; }
# Search over the sample's index, through a transliteration (lukashenko -> лукашенко or the English article).
search=$(curl -fsS "http://localhost:$port/v1/search?q=lukashenko")
[[ $search == *'"items":[{'* ]] || { echo "search found nothing: $search"; exit 1; }
echo "npm start: OK on port $port"
