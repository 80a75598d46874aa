package com.android.internal.standin;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The stand-in's screen: what the app shows, drawn to a real PNG with Java's headless imaging, and
 * the UI hierarchy as {@code uiautomator dump} writes it.
 *
 * <p>With {@code -Dstandin.display=DIR}, every change of what is on screen (the main activity, the
 * privacy dialog over it, the system's permission prompt, the launcher when the app goes to the
 * background) is drawn by one daemon thread ("standin-display", so the app never waits for it)
 * into {@code DIR/screen.png} and {@code DIR/window_dump.xml}, then {@code DIR/seq} gets the
 * sequence number of that frame. Each file is written to a temporary name and renamed, so a
 * reader (piaudit's display source, the fake adb) sees whole files; it reads {@code seq} before
 * and after the pair to know they belong together. Without the property nothing is drawn.
 */
public final class Display {
    private Display() {}

    /** One element of a screen: a text, a button or a panel, with the bounds uiautomator reports. */
    public static final class Node {
        final String cls;
        final String text;
        final String resourceId;
        final String pkg;
        final int x;
        final int y;
        final int w;
        final int h;
        final boolean clickable;

        Node(String cls, String text, String resourceId, String pkg, int x, int y, int w, int h, boolean clickable) {
            this.cls = cls;
            this.text = text;
            this.resourceId = resourceId;
            this.pkg = pkg;
            this.x = x;
            this.y = y;
            this.w = w;
            this.h = h;
            this.clickable = clickable;
        }
    }

    static final int WIDTH = 360;
    static final int HEIGHT = 640;
    static final String APP = "com.example.demoapp";
    static final String PERMISSION_CONTROLLER = "com.android.permissioncontroller";

    private static final Object LOCK = new Object();
    private static String sPending;
    private static int sSeq;
    private static Thread sThread;

    /** Whether screens are drawn (a display folder was given). */
    public static boolean enabled() {
        return System.getProperty("standin.display") != null;
    }

    /**
     * Show screen {@code name}: {@code main}, {@code privacy} (the dialog over the main activity),
     * {@code permission:<permission,...>} (the system prompt), {@code home} (the app in the background).
     * Returns at once; the drawing thread draws the latest screen asked for.
     */
    public static void show(String name) {
        if (!enabled()) {
            return;
        }
        synchronized (LOCK) {
            sPending = name;
            if (sThread == null) {
                sThread = new Thread(Display::loop, "standin-display");
                sThread.setDaemon(true);
                sThread.start();
            }
            LOCK.notifyAll();
        }
    }

    /** Wait (at most {@code ms}) until the last screen asked for is on disk: the launcher's pacing, not the app's. */
    public static void settle(long ms) {
        if (!enabled()) {
            return;
        }
        long end = System.currentTimeMillis() + ms;
        synchronized (LOCK) {
            while (sPending != null && System.currentTimeMillis() < end) {
                try {
                    LOCK.wait(Math.max(1, end - System.currentTimeMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void loop() {
        while (true) {
            String name;
            synchronized (LOCK) {
                while (sPending == null) {
                    try {
                        LOCK.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                name = sPending;
            }
            try {
                write(name);
            } catch (Throwable t) {
                StandinLog.log("ERROR", "where", "display", "error", t.toString());
            }
            synchronized (LOCK) {
                if (name.equals(sPending)) {
                    sPending = null;
                }
                LOCK.notifyAll();
            }
        }
    }

    /** The nodes of a screen, in drawing (and hierarchy) order. */
    static List<Node> layout(String name) {
        List<Node> nodes = new ArrayList<>();
        boolean home = name.equals("home");
        if (home) {
            nodes.add(new Node("android.widget.FrameLayout", "", "com.android.launcher3:id/workspace", "com.android.launcher3", 0, 0, WIDTH, HEIGHT, false));
            nodes.add(new Node("android.widget.TextView", "Demo 地图", "com.android.launcher3:id/icon", "com.android.launcher3", 40, 120, 80, 90, true));
            nodes.add(new Node("android.widget.TextView", "设置", "com.android.launcher3:id/icon", "com.android.launcher3", 140, 120, 80, 90, true));
            return nodes;
        }
        nodes.add(new Node("android.widget.FrameLayout", "", "android:id/content", APP, 0, 0, WIDTH, HEIGHT, false));
        nodes.add(new Node("android.widget.TextView", "Demo 地图", APP + ":id/title", APP, 0, 0, WIDTH, 56, false));
        nodes.add(new Node("android.view.View", "", APP + ":id/map", APP, 16, 72, WIDTH - 32, 360, false));
        nodes.add(new Node("android.widget.TextView", "附近的餐厅", APP + ":id/nearby", APP, 16, 448, WIDTH - 32, 40, true));
        if (name.equals("privacy")) {
            nodes.add(new Node("android.widget.FrameLayout", "", APP + ":id/privacy_dialog", APP, 24, 150, WIDTH - 48, 330, false));
            nodes.add(new Node("android.widget.TextView", "隐私政策", APP + ":id/privacy_title", APP, 24, 166, WIDTH - 48, 30, false));
            nodes.add(new Node("android.widget.TextView",
                    "欢迎使用 Demo 地图！我们依据《隐私政策》收集和使用您的个人信息，包括设备标识符、位置信息；"
                            + "我们接入的第三方 SDK 见《第三方信息共享清单》。点击“同意”即表示您已阅读并同意。",
                    APP + ":id/privacy_text", APP, 40, 204, WIDTH - 80, 190, false));
            nodes.add(new Node("android.widget.Button", "不同意", APP + ":id/privacy_refuse", APP, 40, 412, 130, 44, true));
            nodes.add(new Node("android.widget.Button", "同意", APP + ":id/privacy_agree", APP, 190, 412, 130, 44, true));
        } else if (name.startsWith("permission:")) {
            String perms = name.substring("permission:".length());
            String what = perms.contains("LOCATION") ? "位置信息" : perms.contains("CAMERA") ? "相机" : "此权限";
            String p = PERMISSION_CONTROLLER;
            nodes.add(new Node("android.widget.LinearLayout", "", p + ":id/grant_dialog", p, 24, 330, WIDTH - 48, 270, false));
            nodes.add(new Node("android.widget.TextView", "要允许“Demo 地图”获取此设备的" + what + "吗？", p + ":id/permission_message", p, 44, 350, WIDTH - 88, 70, false));
            nodes.add(new Node("android.widget.Button", "仅在使用该应用时允许", p + ":id/permission_allow_foreground_only_button", p, 44, 440, WIDTH - 88, 40, true));
            nodes.add(new Node("android.widget.Button", "仅限这一次", p + ":id/permission_allow_one_time_button", p, 44, 488, WIDTH - 88, 40, true));
            nodes.add(new Node("android.widget.Button", "不允许", p + ":id/permission_deny_button", p, 44, 536, WIDTH - 88, 40, true));
        }
        return nodes;
    }

    static byte[] png(String name, List<Node> nodes) throws IOException {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        boolean home = name.equals("home");
        g.setColor(home ? new Color(0x2E4A62) : Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        boolean dimmed = false;
        for (Node n : nodes) {
            String id = n.resourceId;
            if (id.endsWith(":id/title")) {
                g.setColor(new Color(0x16324F));
                g.fillRect(n.x, n.y, n.w, n.h);
                text(g, n, Color.WHITE, Font.BOLD, 18, false);
            } else if (id.endsWith(":id/map")) {
                g.setColor(new Color(0xE8F0E4));
                g.fillRect(n.x, n.y, n.w, n.h);
                g.setColor(new Color(0xC9D8C2));
                g.setStroke(new BasicStroke(6));
                g.drawLine(n.x, n.y + 120, n.x + n.w, n.y + 220);
                g.drawLine(n.x + 90, n.y, n.x + 170, n.y + n.h);
                g.setColor(new Color(0xB42318));
                g.fillOval(n.x + n.w / 2 - 8, n.y + n.h / 2 - 8, 16, 16);
            } else if (id.endsWith(":id/privacy_dialog") || id.endsWith(":id/grant_dialog")) {
                if (!dimmed) {
                    g.setColor(new Color(0, 0, 0, 110));
                    g.fillRect(0, 0, WIDTH, HEIGHT);
                    dimmed = true;
                }
                g.setColor(Color.WHITE);
                g.fillRoundRect(n.x, n.y, n.w, n.h, 18, 18);
            } else if (n.cls.endsWith("Button")) {
                boolean primary = id.endsWith("privacy_agree") || id.contains("allow_foreground");
                g.setColor(primary ? new Color(0x1A7F37) : new Color(0xEEF2F6));
                g.fillRoundRect(n.x, n.y, n.w, n.h, 10, 10);
                text(g, n, primary ? Color.WHITE : new Color(0x1D1D1F), Font.BOLD, 15, false);
            } else if (id.contains("launcher3:id/icon")) {
                g.setColor(new Color(0xF4B400));
                g.fillRoundRect(n.x + 16, n.y, 48, 48, 12, 12);
                Node label = new Node(n.cls, n.text, id, n.pkg, n.x, n.y + 54, n.w, 24, false);
                text(g, label, Color.WHITE, Font.PLAIN, 12, false);
            } else if (!n.text.isEmpty()) {
                boolean title = id.endsWith("privacy_title");
                text(g, n, new Color(0x1D1D1F), title ? Font.BOLD : Font.PLAIN, title ? 18 : 14, !title && n.h > 40);
            }
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** Draw a node's text centred (or wrapped, left-aligned) inside its bounds. */
    private static void text(Graphics2D g, Node n, Color colour, int style, int size, boolean wrap) {
        g.setColor(colour);
        g.setFont(new Font(Font.SANS_SERIF, style, size));
        FontMetrics fm = g.getFontMetrics();
        if (!wrap) {
            int x = n.x + Math.max(0, (n.w - fm.stringWidth(n.text)) / 2);
            int y = n.y + (n.h - fm.getHeight()) / 2 + fm.getAscent();
            g.drawString(n.text, x, y);
            return;
        }
        int y = n.y + fm.getAscent();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < n.text.length(); i++) {
            line.append(n.text.charAt(i));
            if (fm.stringWidth(line.toString()) > n.w) {
                line.setLength(line.length() - 1);
                g.drawString(line.toString(), n.x, y);
                y += fm.getHeight();
                line.setLength(0);
                line.append(n.text.charAt(i));
            }
        }
        g.drawString(line.toString(), n.x, y);
    }

    /** The hierarchy as {@code uiautomator dump} writes it (attributes escaped for XML). */
    static String xml(String name, List<Node> nodes) {
        StringBuilder sb = new StringBuilder("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>");
        sb.append("<hierarchy rotation=\"0\">");
        int open = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            sb.append("<node index=\"").append(i).append("\" text=\"").append(escape(n.text))
                    .append("\" resource-id=\"").append(escape(n.resourceId)).append("\" class=\"").append(n.cls)
                    .append("\" package=\"").append(n.pkg).append("\" content-desc=\"\" checkable=\"false\" checked=\"false\" clickable=\"")
                    .append(n.clickable).append("\" enabled=\"true\" focusable=\"").append(n.clickable)
                    .append("\" focused=\"false\" scrollable=\"false\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"[")
                    .append(n.x).append(',').append(n.y).append("][").append(n.x + n.w).append(',').append(n.y + n.h).append("]\"");
            if (i == 0) {
                sb.append('>');
                open++;
            } else {
                sb.append(" />");
            }
        }
        for (int i = 0; i < open; i++) {
            sb.append("</node>");
        }
        sb.append("</hierarchy>");
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void write(String name) throws IOException {
        Path dir = Paths.get(System.getProperty("standin.display"));
        Files.createDirectories(dir);
        List<Node> nodes = layout(name);
        byte[] image = png(name, nodes);
        byte[] hierarchy = xml(name, nodes).getBytes(StandardCharsets.UTF_8);
        int seq;
        synchronized (LOCK) {
            seq = ++sSeq;
        }
        replace(dir, "screen.png", image);
        replace(dir, "window_dump.xml", hierarchy);
        replace(dir, "seq", (seq + " " + name + "\n").getBytes(StandardCharsets.UTF_8));
        StandinLog.log("SCREEN", "seq", seq, "name", name, "bytes", image.length);
    }

    private static void replace(Path dir, String file, byte[] data) throws IOException {
        Path tmp = dir.resolve("." + file + ".tmp");
        Files.write(tmp, data);
        Files.move(tmp, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
