#!/usr/bin/env python3
# Copied from the team tools (/work/shared/tools/mkimage.py) so the tests carry their own content maker.
"""Make small OCI test content with the standard library only (no registry pull).

Writes an OCI image layout (oci-layout, index.json, blobs/sha256/...) that skopeo,
umoci, oras etc. can read as `oci:DIR:TAG`.

Kinds:
  payload  one layer holding /payload.bin of --size-mb deterministic random bytes
           (incompressible, so a 100 MB layer really moves 100 MB).
  busybox  a runnable linux/amd64 image: /bin/busybox (from Debian busybox-static)
           plus applet symlinks, Cmd ["/bin/sh"]. Optionally --size-mb adds payload.
  helm     a Helm chart as an OCI artifact (helm's media types), chart made here:
           Chart.yaml + one ConfigMap template; --chart NAME --chart-version X.Y.Z

Options:
  --rootfs-tar FILE   also write the uncompressed layer tar (for `docker import`)
  --compress gzip|none  layer compression (default gzip, level 1, mtime 0)

Examples:
  python3 mkimage.py payload --size-mb 100 --out /tmp/img100 --tag v1
  python3 mkimage.py busybox --out /tmp/bb --tag 1.0 --rootfs-tar /tmp/bb-rootfs.tar
  python3 mkimage.py helm --chart hello --chart-version 0.1.0 --out /tmp/chart --tag 0.1.0
Output is deterministic for the same arguments (same digests every run).
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
EPOCH = 0


class Layout:
    def __init__(self, out):
        self.out = out
        self.blobdir = os.path.join(out, "blobs", "sha256")
        os.makedirs(self.blobdir, exist_ok=True)
        with open(os.path.join(out, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def put_bytes(self, data, media_type):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.blobdir, d), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": "sha256:" + d, "size": len(data)}

    def put_file(self, path, media_type):
        h = hashlib.sha256()
        size = 0
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
        d = h.hexdigest()
        shutil.move(path, os.path.join(self.blobdir, d))
        return {"mediaType": media_type, "digest": "sha256:" + d, "size": size}

    def write_index(self, manifest_desc, tag):
        desc = dict(manifest_desc)
        desc["annotations"] = {"org.opencontainers.image.ref.name": tag}
        idx_path = os.path.join(self.out, "index.json")
        idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}
        if os.path.exists(idx_path):
            with open(idx_path) as f:
                idx = json.load(f)
            idx["manifests"] = [m for m in idx["manifests"]
                                if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != tag]
        idx["manifests"].append(desc)
        with open(idx_path, "w") as f:
            json.dump(idx, f, indent=2)


def canon(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def tarinfo(name, **kw):
    ti = tarfile.TarInfo(name)
    ti.mtime = EPOCH
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti


def busybox_applets(bb):
    out = subprocess.run([bb, "--list-full"], capture_output=True, text=True, check=True).stdout
    return sorted(set(l.strip() for l in out.splitlines() if l.strip()))


def build_rootfs_tar(path, kind, size_mb, seed, busybox):
    """Write an uncompressed layer tar; return nothing (digest computed by caller)."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        if kind == "busybox":
            for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "tmp", "proc", "sys", "dev", "root"):
                mode = 0o1777 if d == "tmp" else 0o755
                tf.addfile(tarinfo(d, type=tarfile.DIRTYPE, mode=mode))
            with open(busybox, "rb") as f:
                data = f.read()
            tf.addfile(tarinfo("bin/busybox", size=len(data), mode=0o755), io.BytesIO(data))
            for applet in busybox_applets(busybox):
                if applet == "bin/busybox":
                    continue
                depth = applet.count("/")
                target = "../" * depth + "bin/busybox" if not applet.startswith("bin/") else "busybox"
                tf.addfile(tarinfo(applet, type=tarfile.SYMTYPE, linkname=target, mode=0o777))
            etc = {"etc/passwd": b"root:x:0:0:root:/root:/bin/sh\n",
                   "etc/group": b"root:x:0:\n",
                   "etc/hosts": b"127.0.0.1 localhost\n"}
            for n, b in etc.items():
                tf.addfile(tarinfo(n, size=len(b), mode=0o644), io.BytesIO(b))
        if size_mb:
            n = size_mb * 1024 * 1024
            rng = random.Random(seed)
            payload_path = path + ".payload"
            with open(payload_path, "wb") as f:
                left = n
                while left:
                    c = min(left, 8 << 20)
                    f.write(rng.randbytes(c))
                    left -= c
            with open(payload_path, "rb") as f:
                tf.addfile(tarinfo("payload.bin", size=n, mode=0o644), f)
            os.remove(payload_path)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def make_image(args):
    lay = Layout(args.out)
    raw = os.path.join(args.out, "layer.tar.tmp")
    build_rootfs_tar(raw, args.kind, args.size_mb, args.seed, args.busybox)
    diff_id = sha256_file(raw)
    if args.rootfs_tar:
        shutil.copyfile(raw, args.rootfs_tar)
    if args.compress == "gzip":
        gz = raw + ".gz"
        with open(raw, "rb") as src, open(gz, "wb") as dst:
            with gzip.GzipFile(fileobj=dst, mode="wb", compresslevel=1, mtime=0, filename="") as g:
                shutil.copyfileobj(src, g, 1 << 20)
        os.remove(raw)
        layer = lay.put_file(gz, LAYER_GZ)
    else:
        layer = lay.put_file(raw, LAYER_TAR)
    cfg = {
        "created": "1970-01-01T00:00:00Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["/bin/sh"] if args.kind == "busybox" else ["/payload.bin"],
                   "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "mkimage.py " + args.kind}],
    }
    config = lay.put_bytes(canon(cfg), OCI_CONFIG)
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]}
    mdesc = lay.put_bytes(canon(manifest), OCI_MANIFEST)
    lay.write_index(mdesc, args.tag)
    return mdesc, layer


def make_helm(args):
    lay = Layout(args.out)
    name, ver = args.chart, args.chart_version
    files = {
        f"{name}/Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: {ver}\nappVersion: \"{ver}\"\ntype: application\ndescription: test chart made by mkimage.py\n",
        f"{name}/values.yaml": "message: hello\n",
        f"{name}/templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  message: {{ .Values.message | quote }}\n",
    }
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as g:
        with tarfile.open(fileobj=g, mode="w", format=tarfile.PAX_FORMAT) as tf:
            for n, s in files.items():
                b = s.encode()
                tf.addfile(tarinfo(n, size=len(b), mode=0o644), io.BytesIO(b))
    chart_tgz = buf.getvalue()
    if args.rootfs_tar:  # reuse flag: also write the .tgz for `helm install ./x.tgz`
        with open(args.rootfs_tar, "wb") as f:
            f.write(chart_tgz)
    layer = lay.put_bytes(chart_tgz, HELM_CHART)
    cfg = {"apiVersion": "v2", "name": name, "version": ver, "appVersion": ver, "type": "application",
           "description": "test chart made by mkimage.py"}
    config = lay.put_bytes(canon(cfg), HELM_CONFIG)
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer],
                "annotations": {"org.opencontainers.image.title": name,
                                "org.opencontainers.image.version": ver}}
    mdesc = lay.put_bytes(canon(manifest), OCI_MANIFEST)
    lay.write_index(mdesc, args.tag)
    return mdesc, layer


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=["payload", "busybox", "helm"])
    p.add_argument("--out", required=True, help="OCI layout directory (created/extended)")
    p.add_argument("--tag", default="latest")
    p.add_argument("--size-mb", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--compress", choices=["gzip", "none"], default="gzip")
    p.add_argument("--busybox", default="/bin/busybox", help="static busybox (Debian busybox-static)")
    p.add_argument("--rootfs-tar", help="also write the uncompressed layer tar (helm: the chart .tgz)")
    p.add_argument("--chart", default="hello")
    p.add_argument("--chart-version", default="0.1.0")
    args = p.parse_args()
    if args.kind == "payload" and not args.size_mb:
        args.size_mb = 1
    mdesc, layer = make_helm(args) if args.kind == "helm" else make_image(args)
    print(json.dumps({"layout": args.out, "tag": args.tag, "manifest": mdesc["digest"],
                      "layer": layer["digest"], "layer_size": layer["size"]}))


if __name__ == "__main__":
    main()
