package dev.modelwatch.server.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

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
}
