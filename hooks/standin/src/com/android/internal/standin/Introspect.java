package com.android.internal.standin;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;

/**
 * Checks API signatures by reflection: reads {@code class#method(type,type)} lines on stdin and
 * prints {@code OK <line> static=<bool> returns=<type> modifiers=<...>} or {@code MISSING <line> ...}.
 * Parameter and return types use {@link Class#getTypeName()} ({@code java.lang.String[]},
 * {@code Outer$Inner}). Used by tests/hooks/test_standin.py.
 */
public final class Introspect {
    private Introspect() {}

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            System.out.println(check(line));
        }
        System.out.flush();
    }

    static String check(String sig) {
        int hash = sig.indexOf('#');
        int open = sig.indexOf('(', hash);
        if (hash < 0 || open < 0 || !sig.endsWith(")")) {
            return "MISSING " + sig + " reason=syntax";
        }
        String cls = sig.substring(0, hash);
        String name = sig.substring(hash + 1, open);
        String params = sig.substring(open + 1, sig.length() - 1);
        Class<?> c;
        try {
            c = Class.forName(cls, false, Introspect.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return "MISSING " + sig + " reason=no_class";
        }
        for (Method m : c.getDeclaredMethods()) {
            if (!m.getName().equals(name) || m.isSynthetic() || m.isBridge()) {
                continue;
            }
            StringBuilder p = new StringBuilder();
            for (Class<?> t : m.getParameterTypes()) {
                p.append(p.length() == 0 ? "" : ",").append(t.getTypeName());
            }
            if (p.toString().equals(params)) {
                return "OK " + sig + " static=" + Modifier.isStatic(m.getModifiers()) + " returns="
                        + m.getReturnType().getTypeName() + " modifiers=" + Modifier.toString(m.getModifiers()).replace(' ', ',');
            }
        }
        return "MISSING " + sig + " reason=no_method";
    }
}
