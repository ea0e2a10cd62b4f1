# The lab: a real containerised Ceph test bed on this machine (see lab/README.md).
# Included by the top-level Makefile, which defines ROOT, VENV, VENV_STAMP and header.
#
#   make lab-up       build what is missing (cached) and start the lab; prints it as JSON
#   make lab-down     remove every container, network, loop device and file of the lab
#   make lab-status   print the lab as JSON
#   make lab-clean    lab-down, then the cached images and build files too
#   make lab-ceph-image LAB_RELEASE=18.2.7   the Ceph image of another release, pushed to a running lab
#   make lab-test     the lab's smoke tests, on an instance of their own (LAB_NAME=cephkit-ci)
#   make demo         lab-up, then deploy with playbooks/site.yml once the roles exist
#   make bench        figures: site.yml against the plain commands (hack/bench.py; BENCH_ARGS=--pairs 3)
#
# Settings (environment or make variables): LAB_NAME (cephkit-lab), LAB_HOSTS (3),
# LAB_DISKS (2 per host), LAB_DISK_SIZE (10G), LAB_SUBNET (10.89.77.0/24).

# Debian packages the lab needs on this machine (installed by `make deps`).
APT_PACKAGES += podman netavark aardvark-dns conmon runc catatonit iptables \
	debootstrap debian-archive-keyring dpkg-dev openssh-client util-linux time

LAB := cd $(ROOT)/lab && $(VENV)/bin/python -m cephkit_lab
LAB_TEST_ENV := LAB_NAME=cephkit-ci LAB_SUBNET=10.89.79.0/24

.PHONY: lab-up lab-down lab-status lab-clean lab-ceph-image lab-test lab-smoke demo bench

lab-up lab-down lab-status lab-clean lab-ceph-image lab-smoke: $(VENV_STAMP)

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

LAB_RELEASE ?= 18.2.7
lab-ceph-image:
	$(call header,lab-ceph-image $(LAB_RELEASE))
	$(LAB) ceph-image --release $(LAB_RELEASE)

# Every lab test uses an instance of its own, from fresh hosts, and takes it down again (lab-modules
# takes over lab-roles' instance when it passed).
LAB_COLLECTIONS := $(ROOT)/.build/collections
MOLECULE_SCENARIOS ?= check default
LAB_TESTS := lab-smoke lab-roles lab-modules $(addprefix lab-molecule-,$(MOLECULE_SCENARIOS))

.PHONY: lab-modules lab-roles $(addprefix lab-molecule-,$(MOLECULE_SCENARIOS))
lab-modules lab-roles $(addprefix lab-molecule-,$(MOLECULE_SCENARIOS)): $(VENV_STAMP)

# The lab itself: hosts, registry mirror, package repository, isolation, clean exit.
lab-smoke:
	$(call header,lab: smoke tests (LAB_NAME=cephkit-ci))
	$(LAB_TEST_ENV) pytest -p no:cacheprovider -s -v $(ROOT)/tests/lab

# The host-preparation roles, then the modules on the same hosts: lab-roles keeps its instance when every
# step passed and lab-modules reuses it (prepared hosts, no cluster); otherwise lab-modules starts fresh.
LAB_HOSTS_TEST := cephkit-ci-hosts 10.89.81.0/24

# The host-preparation roles: check mode, idempotence, mirror pulls, retags, cephadm sources, faults.
lab-roles:
	$(call header,lab: host-preparation roles (LAB_NAME=cephkit-ci-hosts))
	ROLES_TEST_KEEP=passed $(ROOT)/tests/roles/run.sh $(LAB_HOSTS_TEST)

# The modules on a real cluster: check, apply, check, apply, all with --diff; bad inputs.
lab-modules:
	$(call header,lab: module integration (LAB_NAME=cephkit-ci-hosts))
	ON_LAB_REUSE=1 $(ROOT)/tests/integration/on-lab.sh $(LAB_HOSTS_TEST)

# The molecule scenarios (molecule/): each brings up and destroys its own lab instance.
$(addprefix lab-molecule-,$(MOLECULE_SCENARIOS)): lab-molecule-%:
	$(call header,lab: molecule scenario $*)
	@mkdir -p $(LAB_COLLECTIONS)/ansible_collections/cephkit
	@ln -sfn $(ROOT) $(LAB_COLLECTIONS)/ansible_collections/cephkit/cephadm
	cd $(ROOT) && ANSIBLE_COLLECTIONS_PATH=$(LAB_COLLECTIONS) ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 \
	  molecule test -s $*

# All of them; every one runs even when an earlier one failed, then a summary.
lab-test:
	@MAKE="$(MAKE)" $(ROOT)/hack/run-targets.sh lab $(LAB_TESTS)

# Figures, not a test (not in make test): site.yml against the plain commands, on fresh lab instances.
bench: deps-apt $(VENV_STAMP)
	$(call header,bench: site.yml against the plain commands (LAB_NAME=cephkit-bench))
	$(VENV)/bin/python $(ROOT)/hack/bench.py $(BENCH_ARGS)

demo: deps-apt $(VENV_STAMP)
	$(call header,demo: the lab)
	$(LAB) up >/dev/null
	@$(LAB) status
	$(call header,demo: ansible-playbook cephkit.cephadm.site)
	@mkdir -p $(LAB_COLLECTIONS)/ansible_collections/cephkit
	@ln -sfn $(ROOT) $(LAB_COLLECTIONS)/ansible_collections/cephkit/cephadm
	cd $(ROOT) && ANSIBLE_COLLECTIONS_PATH=$(LAB_COLLECTIONS) ANSIBLE_HOST_KEY_CHECKING=false \
	  ansible-playbook -i .lab/$${LAB_NAME:-cephkit-lab}/inventory.yml -i lab/inventory/lab.yml cephkit.cephadm.site
	$(call header,demo: ceph -s on node1)
	@$(LAB) ssh node1 ceph -s
	$(call header,demo: the dashboard (URL from ceph mgr services; its password is in the 0600 file on node1))
	@$(LAB) ssh node1 ceph mgr services
	@$(LAB) ssh node1 ls -l /etc/ceph/
