package dev.modelwatch.store;

import dev.modelwatch.core.profile.ProfileKey;
import dev.modelwatch.core.profile.WindowProfile;

/** A stored window profile and its key. */
public record StoredProfile(ProfileKey key, WindowProfile profile) {
}
