#!/usr/bin/env python3
"""Latency-probe CLI (BotLatencyBench only): stamps when it reads each stdin line and when it writes each token.

Never the oracle of a protocol test. Speaks the same stream-json as stream-answer.py (shapes from the reference
transcript 01_plain_text_partial.jsonl): per user message a system/init line, message_start, content_block_start,
one content_block_delta/text_delta per token, then assistant, content_block_stop, message_delta, message_stop and a
result line. Control requests initialize and interrupt are answered with a control_response success.

The prompt says what to answer: "probe=s03p07 tokens=3 gap=1.7" gives the tokens "s03p07k1 s03p07k2 s03p07k3",
token i written at (stdin read time) + i * gap seconds (a fixed schedule, no drift); defaults: probe=p, 3 tokens,
gap 1.7 s.

When BENCH_PROBE_DIR is set, BENCH_PROBE_DIR/probe-<pid>.log gets, in epoch microseconds of the system clock:
  "in <probe> <us>"   for a user line, stamped right after the line was read from stdin (before it is parsed);
  "in -<type> <us>"   for any other stdin line;
  "out <token> <us>"  stamped right after the token's stream-json line was flushed to stdout.
The log is flushed at the end of every turn and at exit, so writing it costs the measured path nothing.
"""
import json
import os
import queue
import re
import sys
import threading
import time
import uuid

if sys.argv[1:] == ["--version"]:
    # The bot asks once at start-up; this script speaks the pinned version's protocol (see the docstring).
    print("2.1.332 (Claude Code)")
    sys.exit(0)

OUT_LOCK = threading.Lock()
LOG_LOCK = threading.Lock()
SESSION_ID = str(uuid.uuid4())
INTERRUPT = threading.Event()
TURNS = queue.Queue()
PROBE_DIR = os.environ.get("BENCH_PROBE_DIR")
LOG = open(os.path.join(PROBE_DIR, "probe-%d.log" % os.getpid()), "a", encoding="utf-8") if PROBE_DIR else None


def now_us():
    return time.time_ns() // 1000


def log(kind, name, micros):
    if LOG is not None:
        with LOG_LOCK:
            LOG.write("%s %s %d\n" % (kind, name, micros))


def flush_log():
    if LOG is not None:
        with LOG_LOCK:
            LOG.flush()


def emit(obj):
    line = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    with OUT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def stream_event(event):
    emit({"type": "stream_event", "event": event, "session_id": SESSION_ID, "parent_tool_use_id": None,
          "uuid": str(uuid.uuid4())})


def prompt_text(message):
    content = message.get("message", {}).get("content", "")
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")


def spec(prompt):
    def find(name, default, cast):
        m = re.search(r"\b" + name + r"=(\S+)", prompt)
        return cast(m.group(1)) if m else default
    return find("probe", "p", str), find("tokens", 3, int), find("gap", 1.7, float)


def turn(message, read_at, number):
    started = time.monotonic()
    probe, count, gap = spec(prompt_text(message))
    words = ["%sk%d" % (probe, i) for i in range(1, count + 1)]
    message_id = "msg_probe_%d" % number
    model = "claude-fake-probe"
    emit({"type": "system", "subtype": "init", "cwd": os.getcwd(), "session_id": SESSION_ID, "tools": [],
          "mcp_servers": [], "model": model, "permissionMode": "default", "slash_commands": [],
          "apiKeySource": "none", "claude_code_version": "fake-probe", "output_style": "default", "agents": [],
          "skills": [], "plugins": [], "uuid": str(uuid.uuid4())})
    usage = {"input_tokens": 100, "output_tokens": 1, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 0}
    stream_event({"type": "message_start", "message": {"id": message_id, "type": "message", "role": "assistant",
                                                       "model": model, "content": [], "stop_reason": None,
                                                       "stop_sequence": None, "usage": usage}})
    stream_event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    sent = []
    for i, word in enumerate(words):
        if INTERRUPT.is_set():
            break
        token = word + (" " if i < len(words) - 1 else "")
        delay = read_at + (i + 1) * gap - time.time()
        if delay > 0:
            time.sleep(delay)
        stream_event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": token}})
        log("out", word, now_us())
        sent.append(token)
    text = "".join(sent)
    interrupted = INTERRUPT.is_set()
    emit({"type": "assistant", "message": {"id": message_id, "type": "message", "role": "assistant", "model": model,
                                           "content": [{"type": "text", "text": text}], "stop_reason": None,
                                           "stop_sequence": None, "usage": usage},
          "parent_tool_use_id": None, "session_id": SESSION_ID, "uuid": str(uuid.uuid4())})
    stream_event({"type": "content_block_stop", "index": 0})
    stream_event({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                  "usage": {"output_tokens": len(sent)}})
    stream_event({"type": "message_stop"})
    cost = round(0.0001 * len(sent), 6)
    emit({"type": "result", "subtype": "success", "is_error": False, "api_error_status": None,
          "duration_ms": int((time.monotonic() - started) * 1000), "duration_api_ms": int((time.monotonic() - started) * 1000),
          "num_turns": 1, "result": text, "stop_reason": "end_turn", "session_id": SESSION_ID,
          "total_cost_usd": cost * number,
          "usage": {"input_tokens": 100, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                    "output_tokens": len(sent)},
          "modelUsage": {model: {"inputTokens": 100 * number, "outputTokens": len(sent) * number,
                                 "cacheReadInputTokens": 0, "cacheCreationInputTokens": 0, "webSearchRequests": 0,
                                 "costUSD": cost * number, "contextWindow": 200000, "maxOutputTokens": 64000}},
          "permission_denials": [], "terminal_reason": "aborted_streaming" if interrupted else "completed",
          "uuid": str(uuid.uuid4())})
    flush_log()


def worker():
    number = 0
    while True:
        item = TURNS.get()
        if item is None:
            return
        number += 1
        INTERRUPT.clear()
        turn(item[0], item[1], number)


def main():
    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    stdin = sys.stdin.buffer
    while True:
        raw = stdin.readline()
        read_us = now_us()
        if not raw:
            break
        raw = raw.strip()
        if not raw:
            continue
        try:
            message = json.loads(raw)
        except ValueError:
            log("in", "-unparsable", read_us)
            continue
        kind = message.get("type")
        if kind == "user":
            probe, _, _ = spec(prompt_text(message))
            log("in", probe, read_us)
            TURNS.put((message, read_us / 1e6))
        else:
            log("in", "-" + str(kind), read_us)
            if kind == "control_request":
                subtype = message.get("request", {}).get("subtype")
                if subtype in ("initialize", "interrupt"):
                    if subtype == "interrupt":
                        INTERRUPT.set()
                    body = {"commands": [], "models": [], "account": {}} if subtype == "initialize" else {}
                    emit({"type": "control_response", "response": {"subtype": "success",
                                                                   "request_id": message.get("request_id"),
                                                                   "response": body}})
    TURNS.put(None)  # stdin closed: finish the running answer, then exit
    thread.join()
    flush_log()


if __name__ == "__main__":
    main()
