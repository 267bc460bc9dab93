package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedValuesTest {
    private final SharedValues values = new SharedValues();

    @Test
    void equalStringsShareTheFirstInstanceAlsoPastTheRecentOnes() {
        String v3 = values.intern(new String("v3"));
        String v4 = values.intern(new String("v4"));
        for (int i = 0; i < 10; i++) {
            values.intern("class-" + i); // pushes v3 and v4 out of the recent ones
        }

        assertThat(values.intern(new String("v3"))).isSameAs(v3);
        assertThat(values.intern(new String("v4"))).isSameAs(v4);
        assertThat(values.intern(new String("v3"))).isSameAs(v3);
        assertThat(values.intern((String) null)).isNull();
    }

    @Test
    void aLongStringIsReturnedAsItIsEachTime() {
        String longValue = "x".repeat(SharedValues.MAX_SHARED_LENGTH + 1);
        String first = new String(longValue);
        String second = new String(longValue);

        assertThat(values.intern(first)).isSameAs(first);
        assertThat(values.intern(second)).isSameAs(second);
    }

    @Test
    void anUnmodifiableMapOfSharedStringsIsSharedAsItIsAndFoundAgainByIdentity() {
        String region = values.intern("region");
        String eu = values.intern("eu-west");
        Map<String, String> kept = Map.of(region, eu); // as the decoding threads hand it over

        assertThat(values.intern(kept)).isSameAs(kept);
        assertThat(values.sharedOrNull(kept)).isSameAs(kept);
        Map<String, String> fresh = new HashMap<>(Map.of(new String("region"), new String("eu-west")));
        assertThat(values.sharedOrNull(fresh)).isSameAs(kept);
        for (int i = 0; i < 20; i++) {
            values.intern(new HashMap<>(Map.of("region", "r-" + i))); // pushes it out of the recent ones
        }
        assertThat(values.sharedOrNull(kept)).isSameAs(kept);
        assertThat(values.sharedOrNull(new HashMap<>(Map.of("region", "eu-west")))).isSameAs(kept);
    }

    @Test
    void aMapOfFreshStringsIsCopiedWithTheSharedOnes() {
        String eu = values.intern("eu-west");
        Map<String, String> fresh = new HashMap<>(Map.of("region", new String("eu-west")));

        Map<String, String> shared = values.intern(fresh);
        assertThat(shared).isNotSameAs(fresh).isEqualTo(fresh);
        assertThat(shared.get("region")).isSameAs(eu);
        assertThat(values.sharedOrNull(Map.of("region", "eu-west"))).isSameAs(shared);
        assertThat(values.sharedOrNull(Map.of("region", "us-east"))).isNull();
    }
}
