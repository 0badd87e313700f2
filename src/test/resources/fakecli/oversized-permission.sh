#!/usr/bin/env bash
# Prints a can_use_tool request longer than the bot's line cap, then a normal line, then echoes the bot's answer
# on stderr so the test can read it.
pad=$(head -c 20000 /dev/zero | tr '\0' 'x')
echo "{\"type\":\"control_request\",\"request_id\":\"big-1\",\"request\":{\"subtype\":\"can_use_tool\",\"tool_name\":\"Write\",\"input\":{\"content\":\"$pad\"},\"tool_use_id\":\"t1\"}}"
echo '{"type":"system","subtype":"status","status":null}'
read -r answer
echo "$answer" >&2
