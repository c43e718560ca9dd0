#!/usr/bin/env python3
"""Pushes a file to the hub's registry with the `oras` Python client (chunked upload), pulls it
back, and checks the bytes. Used by server/tests/registry_clients.rs.

Usage: oras_roundtrip.py HOST:PORT REPO:TAG TOKEN FILE
"""
import filecmp
import os
import sys
import tempfile

import oras.client


def main():
    host, target, token, path = sys.argv[1:5]
    client = oras.client.OrasClient(hostname=host, insecure=True)
    # Credentials for this client only: login() would also write them to ~/.docker/config.json.
    client.auth.set_basic_auth("ci", token)
    ref = f"{host}/{target}"
    # oras wants paths relative to the working directory.
    os.chdir(os.path.dirname(os.path.abspath(path)))
    name = os.path.basename(path)
    response = client.push(target=ref, files=[name], do_chunked=True, chunk_size=1 << 20)
    if response.status_code not in (200, 201):
        sys.exit(f"push failed: {response.status_code} {response.text}")
    with tempfile.TemporaryDirectory() as out:
        pulled = client.pull(target=ref, outdir=out)
        if not pulled:
            sys.exit("pull returned no files")
        got = os.path.join(out, name)
        if not filecmp.cmp(path, got, shallow=False):
            sys.exit("pulled content differs from what was pushed")
    print("ok")


if __name__ == "__main__":
    main()
