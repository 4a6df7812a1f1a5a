# Test programs: filled in by the test-suite commit.
test-programs:
