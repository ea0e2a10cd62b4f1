"""The cephkit lab: a real containerised Ceph test bed on one machine.

Host containers with systemd, sshd and nested podman stand in for servers;
an internal podman network stands in for an intranet with a registry mirror
and a package repository. See lab/README.md.
"""
