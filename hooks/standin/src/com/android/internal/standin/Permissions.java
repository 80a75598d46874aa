package com.android.internal.standin;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The fake system's runtime-permission state and the user's answers in the dialog:
 * {@code -Dstandin.deny_permissions=READ_CONTACTS,CAMERA} (short names) are refused, the rest are
 * granted ({@code -Dstandin.grant_permissions=false} refuses everything).
 */
public final class Permissions {
    private Permissions() {}

    private static final Map<String, Integer> GRANTED = new HashMap<>();

    /** The user's answer in the system dialog: 0 granted, -1 denied. */
    public static synchronized int answer(String permission) {
        Set<String> denied = new HashSet<>(Arrays.asList(Fake.prop("standin.deny_permissions", "").split(",")));
        boolean grant = Fake.flag("standin.grant_permissions", true) && !denied.contains(permission.substring(permission.lastIndexOf('.') + 1));
        int result = grant ? 0 : -1;
        GRANTED.put(permission, result);
        return result;
    }

    /** checkSelfPermission: the last answer, denied before any. */
    public static synchronized int check(String permission) {
        return GRANTED.getOrDefault(permission, -1);
    }
}
