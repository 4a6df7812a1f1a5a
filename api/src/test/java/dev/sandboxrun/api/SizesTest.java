package dev.sandboxrun.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SizesTest {
    @Test
    void durations() {
        assertEquals(500, Sizes.millis("500ms"));
        assertEquals(2000, Sizes.millis("2s"));
        assertEquals(90_000, Sizes.millis("90s"));
        assertEquals(60_000, Sizes.millis("1m"));
        assertEquals(3_600_000, Sizes.millis("1h"));
        for (String bad : new String[]{"0s", "", "2", "-1s", "1.5s", "1m30s", "s", null}) {
            assertThrows(IllegalArgumentException.class, () -> Sizes.millis(bad), String.valueOf(bad));
        }
    }

    @Test
    void quantities() {
        assertEquals(64L << 20, Sizes.bytes("64Mi"));
        assertEquals(1_000_000_000L, Sizes.bytes("1G"));
        assertEquals(8L << 20, Sizes.bytes("8Mi"));
        assertEquals(1234, Sizes.bytes("1234"));
        assertEquals(2, Sizes.bytes("1.5"));
        assertEquals(500, Sizes.millicores("500m"));
        assertEquals(2000, Sizes.millicores("2"));
        for (String bad : new String[]{"0", "-1Mi", "1Xi", "", "1e3", null}) {
            assertThrows(IllegalArgumentException.class, () -> Sizes.bytes(bad), String.valueOf(bad));
        }
    }
}
