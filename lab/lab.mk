# The lab: a real containerised Ceph test bed on this machine (see lab/README.md).
# Included by the top-level Makefile, which defines ROOT, VENV, VENV_STAMP and header.
#
#   make lab-up       build what is missing (cached) and start the lab; prints it as JSON
#   make lab-down     remove every container, network, loop device and file of the lab
#   make lab-status   print the lab as JSON
#   make lab-clean    lab-down, then the cached images and build files too
#   make lab-test     the lab's smoke tests, on an instance of their own (LAB_NAME=cephkit-ci)
#   make demo         lab-up, then deploy with playbooks/site.yml once the roles exist
#
# Settings (environment or make variables): LAB_NAME (cephkit-lab), LAB_HOSTS (3),
# LAB_DISKS (2 per host), LAB_DISK_SIZE (10G), LAB_SUBNET (10.89.77.0/24).

# Debian packages the lab needs on this machine (installed by `make deps`).
APT_PACKAGES += podman netavark aardvark-dns conmon runc catatonit iptables \
	debootstrap debian-archive-keyring dpkg-dev openssh-client util-linux

LAB := cd $(ROOT)/lab && $(VENV)/bin/python -m cephkit_lab
LAB_TEST_ENV := LAB_NAME=cephkit-ci LAB_SUBNET=10.89.79.0/24

.PHONY: lab-up lab-down lab-status lab-clean lab-test lab-smoke demo

lab-up lab-down lab-status lab-clean lab-smoke: $(VENV_STAMP)

lab-up:
	$(call header,lab-up)
	$(LAB) up

lab-down:
	$(call header,lab-down)
	$(LAB) down

lab-status:
	@$(LAB) status

lab-clean:
	$(call header,lab-clean)
	$(LAB) clean

# The smoke tests bring their own instance up and down (tests/lab/conftest.py).
lab-smoke:
	$(call header,lab: smoke tests (LAB_NAME=cephkit-ci))
	$(LAB_TEST_ENV) pytest -p no:cacheprovider -p no:ansible -o addopts= -s -v $(ROOT)/tests/lab

lab-test: lab-smoke

demo: deps-apt $(VENV_STAMP)
	$(call header,demo: the lab)
	$(LAB) up >/dev/null
	@$(LAB) status
	@if [ -f $(ROOT)/playbooks/site.yml ]; then \
	  echo "demo: deploying with playbooks/site.yml"; \
	  cd $(ROOT) && ansible-playbook -i $(ROOT)/.lab/$${LAB_NAME:-cephkit-lab}/inventory.yml playbooks/site.yml; \
	else \
	  echo "demo: the lab is up; playbooks/site.yml does not exist yet, so nothing is deployed"; \
	fi
