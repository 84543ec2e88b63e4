#!/usr/bin/env bash
# Runs Trainyard's benchmarks and writes bench/results/latest.json (see bench/README.md).
#
#   bench/run.sh [--quick] [--only training|pipeline|scoring|gpu|transforms] [--no-build] [--shadow]
#
# --quick: small sizes (training 50k rows x 32, 2 rounds; pipeline 50k rows; scoring 300k rows,
# 1 round), a smoke run of ~4 min.
# --shadow: the scoring benchmark also runs scoring_job_shadow (the job with a shadow model).
# BENCH_SCORING_ARGS: extra ScoringBench options (later ones win), e.g. "--rounds 1" or
# "--variants copy,scoring_job,mllib_lr". BENCH_TRANSFORMS_ARGS: the same for TransformBench.
# The pipeline benchmark needs the local stack; it is started with `./trainyard dev up` when
# Temporal does not answer on TEMPORAL_ADDRESS (default 127.0.0.1:7233).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode=full
only=all
build=1
shadow=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --only) only="$2"; shift ;;
    --no-build) build=0 ;;
    --shadow) shadow=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$mode" = quick ]; then
  train_args=(--rows 50000 --features 32 --rounds 2)
  gpu_args=(--rows 50000 --large-rows 16384 --rounds 1 --steps 5)
  pipeline_rows=50000
  scoring_args=(--rows 300000 --train-rows 50000 --rounds 1)
  transforms_args=(--rows 200000 --scoring-rows 300000 --train-rows 50000 --rounds 1)
else
  train_args=(--rows 200000 --features 32 --rounds 7)
  gpu_args=(--rows 200000 --large-rows 65536 --rounds 3 --steps 20)
  pipeline_rows=1000000
  scoring_args=(--rows 5000000 --train-rows 200000 --rounds 3 --warmup-rows 300000)
  transforms_args=(--rows 1000000 --scoring-rows 1000000 --train-rows 200000 --rounds 3)
fi
if [ "$shadow" = 1 ]; then
  scoring_args+=(--shadow true)
fi

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ "$build" = 1 ] || [ ! -f bench/target/classpath.txt ]; then
  echo "building bench (and the modules it needs)..." >&2
  ./mvnw -B -q -pl bench -am install -DskipTests >&2
fi
# Snapshot the project's own module jars (the classpath points into */target/, which any other
# build in this checkout may clean or rewrite while a benchmark runs); the rest comes from ~/.m2.
snap=bench/target/modules
if [ "$build" = 1 ] || [ ! -f "$snap/classpath.txt" ]; then
  rm -rf "$snap"
  mkdir -p "$snap"
  entries=()
  IFS=: read -r -a deps < bench/target/classpath.txt || true  # no trailing newline
  for jar in "${deps[@]}"; do
    case "$jar" in
      "$root"/*/target/*.jar) cp "$jar" "$snap/"; entries+=("$root/$snap/$(basename "$jar")") ;;
      *) entries+=("$jar") ;;
    esac
  done
  (IFS=:; echo "${entries[*]}") > "$snap/classpath.txt"
  mkdir -p "$snap/classes"
  cp -r bench/target/classes/. "$snap/classes/"
fi
cp="$snap/classes:$(cat "$snap/classpath.txt")"

# Spark on Java 17 needs these opens (the list in Spark's own pom, as in ./trainyard).
opens=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)
# One PyTorch intra-op thread: the worker's default (./trainyard sets it too).
threads=(-Dai.djl.pytorch.num_threads="${TRAINYARD_TORCH_THREADS:-1}")

parts=bench/target/parts
rm -rf "$parts"
mkdir -p "$parts" bench/results
state="${TRAINYARD_STATE_DIR:-.trainyard}"

if [ "$only" = all ] || [ "$only" = training ]; then
  echo "== training throughput: streaming vs in-memory ($mode) ==" >&2
  # shellcheck disable=SC2086
  "$java_bin" -Xmx2g "${threads[@]}" ${BENCH_JAVA_OPTS:-} -cp "$cp" \
    dev.trainyard.training.StreamingVsInMemoryBench "${train_args[@]}" \
    --data "$state/bench/data" --out "$parts/training.json"
fi

if [ "$only" = all ] || [ "$only" = gpu ]; then
  # Runs everywhere: without a GPU it prints "no GPU: GPU figures skipped" and reports the CPU
  # figures. PyTorch's thread count is set per run inside (1 thread, then all cores).
  echo "== GPU training: Trainer on GPU vs CPU, demo and large model ($mode) ==" >&2
  # shellcheck disable=SC2086
  "$java_bin" -Xmx4g ${BENCH_JAVA_OPTS:-} -cp "$cp" \
    dev.trainyard.training.GpuTrainingBench "${gpu_args[@]}" \
    --data "$state/bench/data" --work "$state/bench/gpu-work" --out "$parts/gpu.json"
fi

if [ "$only" = all ] || [ "$only" = pipeline ]; then
  echo "== pipeline orchestration overhead ($mode, $pipeline_rows rows) ==" >&2
  address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
  if ! (exec 3<>"/dev/tcp/${address%:*}/${address##*:}") 2>/dev/null; then
    echo "Temporal does not answer on $address: starting the local stack (./trainyard dev up)" >&2
    ./trainyard dev up >&2
  fi
  # shellcheck disable=SC2086
  "$java_bin" -Xmx6g "${threads[@]}" "${opens[@]}" ${BENCH_JAVA_OPTS:-} -cp "$cp" \
    dev.trainyard.bench.PipelineOverheadBench --rows "$pipeline_rows" --home "$root" \
    --out "$parts/pipeline.json"
fi

if [ "$only" = all ] || [ "$only" = scoring ]; then
  echo "== scoring throughput: ScoringJob vs Parquet copy vs MLlib LR ($mode, ${scoring_args[1]} rows) ==" >&2
  # shellcheck disable=SC2086
  "$java_bin" -Xmx4g "${threads[@]}" "${opens[@]}" ${BENCH_JAVA_OPTS:-} -cp "$cp" \
    dev.trainyard.bench.ScoringBench "${scoring_args[@]}" ${BENCH_SCORING_ARGS:-} \
    --data "$state/bench/data" --work "$state/bench/scoring-work" --out "$parts/scoring.json"
fi

if [ "$only" = all ] || [ "$only" = transforms ]; then
  echo "== transforms: feature job vs hand-written Spark SQL, scoring with transforms ($mode) ==" >&2
  # shellcheck disable=SC2086
  "$java_bin" -Xmx4g "${threads[@]}" "${opens[@]}" ${BENCH_JAVA_OPTS:-} -cp "$cp" \
    dev.trainyard.bench.TransformBench "${transforms_args[@]}" ${BENCH_TRANSFORMS_ARGS:-} \
    --home "$root" --data "$state/bench/data" --work "$state/bench/transforms-work" \
    --out "$parts/transforms.json"
fi

commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain 2>/dev/null | head -1)" ]; then
  commit="$commit (dirty)"
fi
"$java_bin" -cp "$cp" dev.trainyard.bench.Report --parts "$parts" --mode "$mode" \
  --commit "$commit" --out bench/results/latest.json --baseline bench/results/baseline.json
