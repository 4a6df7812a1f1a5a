package dev.sandboxrun.launcher;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * After every test: no sandboxrun-* cgroup and no process left by the launchers the test
 * started. Other launchers on the machine (a person's run, another suite) are none of its
 * business: see {@link Launcher#assertNothingLeftBehind}.
 */
abstract class LauncherTestBase {

    @BeforeEach
    void startBookkeeping() {
        Launcher.forgetLaunchers();
    }

    @AfterEach
    void nothingLeftBehind() {
        Launcher.assertNothingLeftBehind();
    }
}
