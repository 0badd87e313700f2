#!/usr/bin/env python3
"""Splits BotLatencyBench's two figures into their legs, from an strace of the benchmark JVM and its fake CLIs.

A diagnostic, not part of the benchmark (strace slows every traced syscall: read the legs as proportions).

  java -cp target/test-classes:target/classes:$(cat cp.txt) ...   # the classpath: mvnw dependency:build-classpath
  strace --seccomp-bpf -f -ttt -s 400 -e trace=read,write,writev,readv,sendto,recvfrom,sendmsg,recvmsg \
      -o st.txt java --enable-native-access=ALL-UNNAMED -Xmx2g -cp ... dev.claudebridge.bench.BotLatencyBench \
      --sessions 10 --warmup 3 --prompts 4 --out /tmp/split.md
  python3 src/test/resources/bench/strace-split.py st.txt /tmp/split-samples.csv [threads.txt]

threads.txt (optional): "tid name" lines of the JVM's threads (/proc/PID/task/*/comm taken during the run), to
name the threads that write the CLI's stdin, read its stdout, and write the PATCH requests.

Legs. Figure 1 (prompt): sent (FakeDiscord's userMessage returned) -> the fake writes the gateway frame -> the
bot's event loop reads it -> the bot writes the user line to the CLI's stdin -> the CLI's read returns -> its
stamp. Figure 2 (token): the CLI's write of the token line -> the bot reads the pipe -> the bot writes the PATCH
headers, then its body -> the fake reads the body -> the fake stamps the edit. strace -ttt is the system clock, as
the samples are.
"""
import csv
import re
import sys
from collections import Counter

LINE = re.compile(r'^(\d+) (\d+\.\d+) (.*)$')
CALL = re.compile(r'^(read|write|writev|readv|sendto|recvfrom|sendmsg|recvmsg)\((\d+), (.*)$')
RESUMED = re.compile(r'^<\.\.\. (\w+) resumed>(.*)$')
FRAME = re.compile(r'^(\[\{iov_base=)?"\\202')  # a server-to-client binary websocket frame (0x82)
SIZE = re.compile(r'\) = (\d+)$')
WRITES = ('write', 'writev', 'sendto', 'sendmsg')
READS = ('read', 'readv', 'recvfrom', 'recvmsg')


def parse(path):
    """(time, pid, call, fd, text): a blocking call split by strace is stamped when it returned."""
    events, pending = [], {}
    for raw in open(path, errors='replace'):
        m = LINE.match(raw.rstrip('\n'))
        if not m:
            continue
        pid, t, rest = int(m.group(1)), float(m.group(2)), m.group(3)
        c = CALL.match(rest)
        if c:
            if rest.endswith('<unfinished ...>'):
                pending[pid] = (c.group(1), int(c.group(2)), c.group(3))
            else:
                events.append((t, pid, c.group(1), int(c.group(2)), c.group(3)))
            continue
        r = RESUMED.match(rest)
        if r and pid in pending:
            call, fd, first = pending.pop(pid)
            events.append((t, pid, call, fd, first + r.group(2)))
    events.sort()
    return events


def percentile(values, q):
    values = sorted(values)
    index = -(-int(q * len(values) * 1000) // 1000) - 1
    return values[max(0, min(len(values) - 1, index))]


def main():
    events = parse(sys.argv[1])
    rows = list(csv.DictReader(open(sys.argv[2])))
    names = {}
    if len(sys.argv) > 3:
        for line in open(sys.argv[3]):
            tid, name = line.split(' ', 1)
            names[int(tid)] = name.strip()
    cli = {e[1] for e in events if e[3] == 0 and e[2] == 'read' and '\\"type\\":\\"user\\"' in e[4]}
    cli |= {e[1] for e in events if e[3] == 1 and '\\"type\\":\\"stream_event\\"' in e[4]}
    jvm = [e for e in events if e[1] not in cli]
    frame_writes = [e for e in jvm if e[2] in WRITES and FRAME.match(e[4])]
    frame_reads = [e for e in jvm if e[2] in READS and FRAME.match(e[4])]
    legs = {}

    def add(name, seconds):
        legs.setdefault(name, []).append(seconds * 1000)

    def first(seq, pred):
        return next((e for e in seq if pred(e)), None)

    for r in rows:
        start, end, tag = int(r['start_epoch_us']) / 1e6, int(r['end_epoch_us']) / 1e6, r['tag']
        if r['figure'] == 'prompt':
            needle = 'probe=' + tag + ' '
            stdin = first(jvm, lambda e: e[0] > start - 0.5 and e[2] in WRITES and needle in e[4])
            read = first(events, lambda e: e[1] in cli and e[3] == 0 and needle in e[4])
            sent = first(frame_writes, lambda e: e[0] >= start - 0.003)
            if not (stdin and read and sent):
                print('not found:', tag)
                continue
            size = SIZE.search(sent[4])
            got = first(frame_reads, lambda e: sent[0] <= e[0] < sent[0] + 1
                        and (size is None or e[4].endswith('= ' + size.group(1))))
            add('1   total: sent -> CLI stamp', end - start)
            add('1a  sent -> fake writes the frame', sent[0] - start)
            if got and got[0] <= stdin[0]:
                add('1b  frame written -> bot reads it (loopback)', got[0] - sent[0])
                add('1c  bot reads frame -> writes CLI stdin (bot)', stdin[0] - got[0])
            add('1bc frame written -> bot writes CLI stdin', stdin[0] - sent[0])
            add('1d  stdin written -> CLI read returns (pipe)', read[0] - stdin[0])
            add('1de stdin written -> CLI stamp', end - stdin[0])
            add('1e  CLI read returns -> CLI stamp', end - read[0])
        else:
            needle = '\\"text\\":\\"' + tag
            line = first(events, lambda e: e[1] in cli and e[3] == 1 and needle in e[4])
            got = line and first(jvm, lambda e: e[0] >= line[0] and e[2] in READS and needle in e[4])
            body = got and first(jvm, lambda e: e[0] >= got[0] and e[2] in WRITES and '{\\"content\\":' in e[4]
                                 and tag in e[4])
            if not body:
                print('not found:', tag)
                continue
            headers = [e for e in jvm if e[3] == body[3] and got[0] <= e[0] <= body[0] and 'PATCH /api' in e[4]]
            fake = first(jvm, lambda e: body[0] <= e[0] < body[0] + 1 and e[2] in READS and tag in e[4]
                         and '{\\"content\\":' in e[4])
            add('2   total: CLI stamp -> fake edit stamp', end - start)
            add('2a  CLI writes line -> bot reads pipe', got[0] - line[0])
            if headers:
                add('2b  bot reads pipe -> PATCH headers written (bot)', headers[-1][0] - got[0])
                add('2c  PATCH headers -> body written (bot)', body[0] - headers[-1][0])
            add('2bc bot reads pipe -> PATCH body written (bot)', body[0] - got[0])
            if fake:
                add('2d  body written -> fake reads it (loopback)', fake[0] - body[0])
                add('2e  fake reads body -> fake stamps the edit', end - fake[0])
            add('2de body written -> fake stamps the edit', end - body[0])
    for name in sorted(legs):
        v = legs[name]
        print('%-50s n=%4d  p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms'
              % (name, len(v), percentile(v, .5), percentile(v, .95), max(v)))
    if names:
        def who(pred):
            return Counter(names.get(e[1], str(e[1])) for e in jvm if pred(e)).most_common(3)
        print('CLI stdin written by:', who(lambda e: e[2] in WRITES and '\\"type\\":\\"user\\"' in e[4]))
        print('CLI stdout read by:', who(lambda e: e[2] in READS and '\\"type\\":\\"stream_event\\"' in e[4]))
        print('PATCH written by:', who(lambda e: e[2] in WRITES and 'PATCH /api' in e[4]))
        print('gateway frames read by:', who(lambda e: e in frame_reads))


if __name__ == '__main__':
    main()
