#!/usr/bin/env bash
# Load-benchmark CLI: answers every stdin line with a short stream-json turn. Never the oracle of a protocol test.
n=0
while read -r line; do
  n=$((n+1))
  echo '{"type":"system","subtype":"init","session_id":"fake-session","model":"fake","permissionMode":"default","cwd":"/","tools":[]}'
  for w in one two three four five; do
    echo "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"$w \"}},\"parent_tool_use_id\":null}"
  done
  echo "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"one two three four five \",\"num_turns\":1,\"total_cost_usd\":0.00$n,\"usage\":{},\"modelUsage\":{},\"session_id\":\"fake-session\"}"
done
