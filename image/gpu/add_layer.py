#!/usr/bin/env python3
"""Writes a Docker-format image tar (what `docker load` reads) that is BASE plus one layer made of
the folder LAYER_ROOT, with environment variables and labels added to the config. No Docker daemon,
no registry: the same format Jib writes for the CPU image (image/README.md).

    add_layer.py BASE.tar LAYER_ROOT OUT.tar --tag NAME:TAG [--env K=V ...] [--label K=V ...]

Files in the layer are owned by root, readable by everyone, with their modes and symlinks kept
and a fixed mtime, so the same input gives the same layer digest.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile


def layer_tar(root, path):
    """Writes root's tree as an uncompressed tar at path; returns its sha256 (the diff id)."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in [""] + sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                full = os.path.join(dirpath, name) if name else dirpath
                rel = os.path.relpath(full, root)
                if rel == ".":
                    continue
                info = tar.gettarinfo(full, arcname=rel)
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                info.mtime = 0
                if info.isdir():
                    info.mode = 0o755
                elif info.isreg():
                    info.mode = 0o755 if info.mode & 0o111 else 0o644
                if info.isreg():
                    with open(full, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base")
    p.add_argument("layer_root")
    p.add_argument("out")
    p.add_argument("--tag", required=True)
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--label", action="append", default=[])
    p.add_argument("--comment", default="layer")
    a = p.parse_args()

    work = tempfile.mkdtemp(prefix="add-layer-", dir=os.path.dirname(os.path.abspath(a.out)))
    try:
        with tarfile.open(a.base) as base:
            manifest = json.load(base.extractfile("manifest.json"))
            if len(manifest) != 1:
                raise SystemExit(f"error: {a.base} holds {len(manifest)} images, expected one")
            config_name = manifest[0]["Config"]
            config = json.load(base.extractfile(config_name))
            layers = list(manifest[0]["Layers"])

            raw = os.path.join(work, "layer.tar")
            diff_id = layer_tar(a.layer_root, raw)
            gz = os.path.join(work, "layer.tar.gz")
            with open(raw, "rb") as src, gzip.GzipFile(gz, "wb", compresslevel=6, mtime=0) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            os.remove(raw)
            digest = hashlib.sha256()
            with open(gz, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            layer_name = digest.hexdigest() + ".tar.gz"

            env = [e for e in config["config"].get("Env", [])]
            for kv in a.env:
                key = kv.split("=", 1)[0]
                env = [e for e in env if e.split("=", 1)[0] != key] + [kv]
            config["config"]["Env"] = env
            labels = config["config"].get("Labels") or {}
            for kv in a.label:
                k, v = kv.split("=", 1)
                labels[k] = v
            config["config"]["Labels"] = labels
            config["rootfs"]["diff_ids"].append("sha256:" + diff_id)
            config.setdefault("history", []).append(
                {"created": "1970-01-01T00:00:00Z", "created_by": "image/gpu/add_layer.py", "comment": a.comment})
            config_bytes = json.dumps(config, separators=(",", ":")).encode()
            new_config = hashlib.sha256(config_bytes).hexdigest() + ".json"
            new_manifest = [{"Config": new_config, "RepoTags": [a.tag], "Layers": layers + [layer_name]}]

            tmp_out = a.out + ".tmp"
            with tarfile.open(tmp_out, "w") as out:
                for name in layers:
                    member = base.getmember(name)
                    out.addfile(member, base.extractfile(member))
                info = tarfile.TarInfo(layer_name)
                info.size = os.path.getsize(gz)
                with open(gz, "rb") as f:
                    out.addfile(info, f)
                for name, data in ((new_config, config_bytes),
                                   ("manifest.json", json.dumps(new_manifest).encode())):
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    out.addfile(info, io.BytesIO(data))
            os.replace(tmp_out, a.out)
            print(f"{a.out}: {a.tag}, {len(layers) + 1} layers, new layer {os.path.getsize(gz) >> 20} MiB gzip")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
