#!/usr/bin/env bash
# Checks a claude CLI version against what the bot relies on (docs/cli-protocol.md):
#  (a) runs every test that drives the real CLI, with -Dclaude.bin=<that CLI>;
#  (b) records the transcript scenarios with it (testkit.recorder.Recorder) and compares their shape with the pinned
#      version's transcripts in src/test/resources/transcripts/cli-<pinned>/ (testkit.recorder.ShapeCompare).
# Prints the failed tests and the transcripts that differ in shape; exits 1 if there is either, 2 on a setup error.
#
# Usage: scripts/cli-drift.sh [VERSION|latest]        (default: latest)
# Env:   CLI_DRIFT_SKIP=REGEX   scenarios not to record (e.g. '_default_retries' saves about 10 minutes)
#        CLI_DRIFT_NO_TESTS=1   only the transcripts;  CLI_DRIFT_NO_TRANSCRIPTS=1  only the tests
#        CLI_DRIFT_REUSE=DIR    compare the transcripts an earlier run recorded in DIR instead of recording
#        JAVA_HOME              a JDK >= 21 (default: the one on PATH, else /usr/lib/jvm/temurin-25-jdk-amd64)
# Takes about 21 minutes (tests 8, recording 12, of which 7 are two scenarios of default API retries).
set -uo pipefail
cd "$(dirname "$0")/.."
version=${1:-latest}
pinned=$(jq -r '.dependencies["@anthropic-ai/claude-code"]' tools/package.json)
if ! java -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
  export PATH="$JAVA_HOME/bin:$PATH"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/cli-drift.XXXXXX")
echo "== cli-drift: $version against the pinned $pinned (logs in $work)"

if ! npm install --prefix "$work/npm" --no-audit --no-fund --no-save "@anthropic-ai/claude-code@$version" \
    > "$work/npm.log" 2>&1; then
  echo "npm install failed:"; tail -20 "$work/npm.log"; exit 2
fi
bin="$work/npm/node_modules/.bin/claude"
if ! actual=$("$bin" --version 2>&1); then
  echo "the installed CLI does not run: $actual"; exit 2
fi
echo "== CLI under test: $actual ($bin)"

failed_tests=""
if [ -z "${CLI_DRIFT_NO_TESTS:-}" ]; then
  # Every test class that starts the real CLI, found by what they use to do it (helpers and benchmarks excluded).
  classes=$(grep -rlE 'claude\.bin|CliFixture|ClaudeProcess|BotEnvironment|BotWorld' src/test/java \
    | grep -E '(Test|IT)\.java$' | grep -v '/bench/' | xargs -n1 basename | sed 's/\.java$//' | sort -u)
  unit=$(echo "$classes" | grep 'Test$' | paste -sd, -)
  its=$(echo "$classes" | grep 'IT$' | paste -sd, -)
  echo "== tests: $(echo "$classes" | wc -l) classes: $(echo $classes)"
  rm -rf target-drift/surefire-reports target-drift/failsafe-reports
  ./mvnw -B -ntp -q -DbuildDir=target-drift -Dclaude.bin="$bin" -Dtest="$unit" -Dit.test="$its" \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dmaven.test.failure.ignore=true verify > "$work/tests.log" 2>&1
  mvn_rc=$?
  failed_tests=$(cat target-drift/surefire-reports/*.txt target-drift/failsafe-reports/*.txt 2>/dev/null \
    | grep -E '<<< (FAILURE|ERROR)!' | sed -E 's/ +(--|Time elapsed).*<<< /  /' | sort -u)
  ran=$(cat target-drift/surefire-reports/*.txt target-drift/failsafe-reports/*.txt 2>/dev/null \
    | grep -oE '^Tests run: [0-9]+' | awk '{s+=$3} END {print s+0}')
  echo "== tests run: $ran, maven exit $mvn_rc"
  if [ "$mvn_rc" -ne 0 ] && [ -z "$failed_tests" ]; then
    failed_tests="(the build failed before any test report; see $work/tests.log)"
    tail -30 "$work/tests.log"
  fi
fi

shape_rc=0
if [ -z "${CLI_DRIFT_NO_TRANSCRIPTS:-}" ]; then
  if [ -n "${CLI_DRIFT_REUSE:-}" ]; then
    # compare transcripts recorded by an earlier run (its logs name the directory) instead of recording again
    rm -rf "$work/transcripts"; ln -s "$(cd "$CLI_DRIFT_REUSE" && pwd)" "$work/transcripts"
    echo "== reusing the transcripts in $CLI_DRIFT_REUSE"; : > "$work/record.log"
  else
  echo "== recording the scenarios into $work/transcripts"
  ./mvnw -B -ntp -q -DbuildDir=target-drift -Prun test-compile -Dmain=dev.claudebridge.testkit.recorder.Recorder \
    -Dargs="--cli $bin --out $work/transcripts --work $work/runs ${CLI_DRIFT_SKIP:+--skip $CLI_DRIFT_SKIP}" \
    > "$work/record.log" 2>&1
  fi
  grep -E 'wait_for|not answered|did not exit|FAILED|recorded' "$work/record.log"
  echo "== shape of cli-$pinned (A) against $actual (B)"
  ./mvnw -B -ntp -q -DbuildDir=target-drift -Prun test-compile -Dmain=dev.claudebridge.testkit.recorder.ShapeCompare \
    -Dargs="src/test/resources/transcripts/cli-$pinned $work/transcripts --requests ${CLI_DRIFT_SKIP:+--ignore-missing}" \
    > "$work/shape.txt" 2>&1
  shape_rc=$?
  # the exec plugin adds its own lines after a non-zero exit; the comparer's report is what is before them
  sed '/^\[ERROR\]/,$d' "$work/shape.txt"
fi

echo
echo "== verdict for $actual against the pinned $pinned"
if [ -n "$failed_tests" ]; then echo "failed tests:"; echo "$failed_tests" | sed 's/^/  /'; else echo "failed tests: none"; fi
if [ "$shape_rc" -ne 0 ]; then echo "transcripts differ in shape (see above)"; else echo "transcripts: same shape"; fi
[ -z "$failed_tests" ] && [ "$shape_rc" -eq 0 ]
