"""Command line of the lab: python -m cephkit_lab {up,down,status,clean,build,monitoring-images,ceph-image,ssh}."""

from __future__ import annotations

import argparse
import json
import os
import sys

from .config import LabConfig
from .lab import Lab
from .run import LabError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cephkit_lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="build what is missing and start the lab (idempotent)")
    sub.add_parser("down", help="remove every container, network, loop device and file of the lab")
    sub.add_parser("status", help="print the lab as JSON")
    sub.add_parser("clean", help="down, then remove the cached images and build files")
    sub.add_parser("build", help="build the images and caches only")
    sub.add_parser(
        "monitoring-images",
        help="build the prometheus, alertmanager and node-exporter images; print cephadm's option -> image as JSON",
    )
    release = sub.add_parser(
        "ceph-image",
        help="build the Ceph image of a release (18.2.7: Reef, from trixie's packages); "
        "with the lab up, push it to the lab registry under its tags (ceph/ceph:v18, ceph/ceph:v18.2.7)",
    )
    release.add_argument("--release", required=True, help="the Ceph version, e.g. 18.2.7")
    ssh = sub.add_parser("ssh", help="run a command on a lab host over SSH")
    ssh.add_argument("host")
    ssh.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        sys.stderr.write("the lab needs root (podman with privileged containers, losetup)\n")
        return 2
    try:
        lab = Lab(LabConfig.from_env())
        if args.command == "up":
            lab.up()
            print(json.dumps(lab.status(), indent=2))
        elif args.command == "down":
            lab.down()
        elif args.command == "status":
            print(json.dumps(lab.status(), indent=2))
        elif args.command == "clean":
            lab.clean()
        elif args.command == "build":
            with lab.build_lock():
                lab.builder.host_image()
                lab.builder.ceph_image()
                lab.builder.registry_binary()
        elif args.command == "monitoring-images":
            with lab.build_lock():
                images = lab.builder.monitoring_images()
            print(json.dumps(images, indent=2))
        elif args.command == "ceph-image":
            print(lab.add_release(args.release))
        elif args.command == "ssh":
            os.execvp("ssh", [*lab.ssh_argv(args.host), "--", *args.cmd])
    except (LabError, ValueError) as exc:
        sys.stderr.write(f"lab: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
