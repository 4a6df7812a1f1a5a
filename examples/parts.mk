# The shared recipe of the *-parts examples: a program of another example, more than one
# ConfigMap holds (1 MiB), cut into parts as a CI job would upload it. The including Makefile
# sets PROGRAM (the example whose program is cut: ../$(PROGRAM)/$(PROGRAM)).
# scripts/program-parts --local writes part-0.. and parts.yaml (the part ConfigMaps and the
# SandboxRun naming them with the program's SHA-256); run.yaml.rest adds the rest of the spec.
# Nothing made here is committed. Skipped with a note when the program was not built (no
# compiler: its own Makefile says which).
RUN := $(notdir $(CURDIR))
BIN := ../$(PROGRAM)/$(PROGRAM)

all:
	@if [ ! -f $(BIN) ]; then \
	  echo "examples/$(RUN): $(BIN) not built: not made" >&2; \
	elif [ ! -f parts.yaml ] || [ $(BIN) -nt parts.yaml ] || [ run.yaml.rest -nt parts.yaml ] \
	     || [ ../../scripts/program-parts -nt parts.yaml ] || [ ../parts.mk -nt parts.yaml ]; then \
	  rm -f part-* parts.yaml; \
	  ../../scripts/program-parts --local . $(BIN) $(RUN) && cat run.yaml.rest >> parts.yaml; \
	fi
