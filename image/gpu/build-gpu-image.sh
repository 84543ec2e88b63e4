#!/usr/bin/env bash
# Builds the GPU worker image (Terraform's gpu_image_tag) from the CPU worker image: one more layer
# with a CUDA build of PyTorch's libraries (the torch wheel and its nvidia-* wheels from PyPI: they
# carry the CUDA runtime, cuBLAS, cuDNN...; the NVIDIA driver comes from the host, as on the ECS
# GPU-optimized AMI) and DJL's JNI library built against them by infra/gpu/build-djl-jni.sh, plus
# the environment that points DJL at them, offline. No Docker daemon, no base image pulled.
#
#   image/gpu/build-gpu-image.sh [--base TAR] [--torch VERSION] [--out TAR] [--tag NAME:TAG]
#
#   --base TAR       the CPU image (default image/target/trainyard-worker-image.tar: ./mvnw -pl image -am package)
#   --torch VERSION  the torch wheel (default: <pytorch.version> in pom.xml, the version DJL's CPU
#                    natives have); its CUDA build is PyPI's default Linux wheel (2.7.1: CUDA 12.6)
#   --out TAR        default image/target/trainyard-worker-gpu-image.tar
#   --tag NAME:TAG   default trainyard/worker:<project version>-cu<NNN>
#
# Needs python3 with pip (PyPI reachable; ~3 GB of wheels, cached in .trainyard/image/gpu), cmake,
# a C++17 compiler and a JDK (build-djl-jni.sh's toolchain). The image runs on hosts with an
# NVIDIA driver for that CUDA version (12.6: driver >= 560; older drivers through CUDA's minor
# version compatibility, >= 525). Exit 3: a missing tool or input; 4: the wheels could not be
# downloaded; 6: the JNI build failed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
die() { local code=$1; shift; echo "error: $*" >&2; exit "$code"; }

base="$root/image/target/trainyard-worker-image.tar"
torch="" out="$root/image/target/trainyard-worker-gpu-image.tar" tag=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --base) base="${2:?}"; shift ;;
    --torch) torch="${2:?}"; shift ;;
    --out) out="${2:?}"; shift ;;
    --tag) tag="${2:?}"; shift ;;
    *) die 2 "unknown option $1 (try --help)" ;;
  esac
  shift
done
[ -f "$base" ] || die 3 "no CPU image at $base: build it first (./mvnw -B -pl image -am package -DskipTests) or pass --base"
command -v python3 >/dev/null || die 3 "python3 not found"
python3 -m pip --version >/dev/null 2>&1 || die 3 "python3 has no pip"
torch="${torch:-$(sed -n 's:.*<pytorch.version>\(.*\)</pytorch.version>.*:\1:p' "$root/pom.xml" | head -1)}"
version="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$root/pom.xml" | head -1)"

# 1. The wheels, for CPython 3.11 manylinux (only their native libraries are used: the image has
#    no Python), installed into a cache folder once per torch version.
cache="${TRAINYARD_STATE_DIR:-$root/.trainyard}/image/gpu/torch-$torch"
if [ ! -f "$cache/.complete" ]; then
  rm -rf "$cache"
  echo "downloading torch $torch and its CUDA wheels from PyPI into $cache (~3 GB)..." >&2
  python3 -m pip install --quiet --no-compile --target "$cache" --python-version 3.11 \
      --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
      --only-binary=:all: "torch==$torch" >&2 \
    || die 4 "could not download torch==$torch and its nvidia-* wheels from PyPI (is it reachable?)"
  touch "$cache/.complete"
fi
torch_full="$(sed -n "s/^__version__ = ['\"]\([^'\"]*\)['\"].*/\1/p" "$cache/torch/version.py")"
[ -f "$cache/torch/lib/libtorch_cuda.so" ] || die 3 "torch $torch_full from PyPI is not a CUDA build"
flavor="${torch_full##*+}"
tag="${tag:-trainyard/worker:$version-$flavor}"

# 2. The layer: torch's lib/ and the nvidia/*/lib folders at the same relative places (torch's
#    libraries find the CUDA ones through RPATH $ORIGIN/../../nvidia/...), and the JNI library.
layer="$root/image/target/gpu-layer"
rm -rf "$layer"
mkdir -p "$layer/opt/torch/torch/lib"
cp -a "$cache/torch/lib/." "$layer/opt/torch/torch/lib/"
rm -f "$layer/opt/torch/torch/lib/libtorch_python.so" "$layer/opt/torch/torch/lib/libshm.so"  # Python-only
cp "$cache/torch/version.py" "$layer/opt/torch/torch/"
# The CUDA libraries: every nvidia/*/lib folder (they find each other through their own RPATHs)
# and whatever else libtorch_cuda.so's RPATH names ($ORIGIN/../../cusparselt/lib).
for rel in $(cd "$cache" && ls -d nvidia/*/lib) \
           $(readelf -d "$cache/torch/lib/libtorch_cuda.so" | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p' | tr ':' '\n' \
             | sed -n 's|^\$ORIGIN/\.\./\.\./||p'); do
  [ -d "$cache/$rel" ] || continue
  mkdir -p "$layer/opt/torch/$rel"
  cp -a "$cache/$rel/." "$layer/opt/torch/$rel/"
done
find "$layer/opt/torch" -depth \( -name '__pycache__' -o -name '*.py' ! -name version.py \) -exec rm -rf {} +
# Every library must resolve inside the layer (or the CPU image's libc/libstdc++, which this
# Debian build machine has too), but the driver's libcuda.so.1, which the host provides.
missing="$(cd "$layer/opt/torch/torch/lib" && for f in *.so*; do ldd "$f" 2>/dev/null | sed -n "s|^\t\(.*\) => not found|$f needs \1|p"; done | grep -v 'needs libcuda\.so\.1$' || true)"
[ -z "$missing" ] || die 6 "the layer lacks libraries: $missing"
# Built against the cache's torch (same files), with the image's path as RUNPATH; kept in the cache
# so a second image build does not compile again.
jni_out="$cache/djl"
"$root/infra/gpu/build-djl-jni.sh" --libtorch "$cache/torch" --runtime-lib /opt/torch/torch/lib \
    --out "$jni_out" >/dev/null || die 6 "building DJL's JNI library failed (above)"
mkdir -p "$layer/opt/djl"
cp -a "$jni_out/pytorch" "$jni_out/jna" "$layer/opt/djl/"
find "$layer/opt/djl" -name '*.key' -delete

# 3. The image: the CPU image plus this layer; DJL pointed at it offline. The GPU image runs on
#    GPU hosts, so the flavor is the CUDA one (DJL preloads libraries that need the driver).
python3 "$here/add_layer.py" "$base" "$layer" "$out" --tag "$tag" --comment "torch $torch_full + DJL JNI" \
  --env "PYTORCH_LIBRARY_PATH=/opt/torch/torch/lib" \
  --env "PYTORCH_VERSION=${torch_full%%+*}" \
  --env "PYTORCH_FLAVOR=$flavor" \
  --env "ENGINE_CACHE_DIR=/opt/djl" \
  --env "DJL_OFFLINE=true" \
  --env "LD_LIBRARY_PATH=/opt/djl/jna" \
  --env "NVIDIA_VISIBLE_DEVICES=all" \
  --env "NVIDIA_DRIVER_CAPABILITIES=compute,utility" \
  --label "org.opencontainers.image.description=Trainyard worker with CUDA PyTorch $torch_full (DJL JNI built by infra/gpu/build-djl-jni.sh)" \
  --label "dev.trainyard.torch=$torch_full" >&2
rm -rf "$layer"
echo "$out"
