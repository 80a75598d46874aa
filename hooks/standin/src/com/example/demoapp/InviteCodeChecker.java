package com.example.demoapp;

import android.content.ClipData;
import android.content.ClipboardManager;
import android.content.Context;
import com.android.internal.standin.StandinLog;

/** First-party code: looks for an invite code on the clipboard at start-up (a pre-consent clipboard read). */
final class InviteCodeChecker {
    private InviteCodeChecker() {}

    static String check(Context ctx) {
        ClipboardManager cm = (ClipboardManager) ctx.getSystemService(Context.CLIPBOARD_SERVICE);
        ClipData clip = cm.getPrimaryClip();
        CharSequence text = clip != null && clip.getItemCount() > 0 ? clip.getItemAt(0).getText() : null;
        StandinLog.log("READ", "party", "app", "type", "clipboard",
                "api", "android.content.ClipboardManager#getPrimaryClip()", "value", text);
        return text == null ? null : text.toString();
    }
}
