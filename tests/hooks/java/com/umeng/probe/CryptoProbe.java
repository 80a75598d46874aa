package com.umeng.probe;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A test fixture for piaudit's crypto, HTTP and TLS hooks: real javax.crypto, java.util.zip, java.util.Base64,
 * HttpsURLConnection and (when on the class path) Debian's OkHttp 3. Every result is printed as
 * "RESULT name hex" so a test can check the hooks changed nothing. The package is Umeng's so that the
 * catalog names the code that called.
 *
 *   java -cp DIR com.umeng.probe.CryptoProbe ops
 *   java -cp DIR:okhttp.jar:okio.jar com.umeng.probe.CryptoProbe http https://127.0.0.1:PORT/path
 *   java -cp DIR com.umeng.probe.CryptoProbe loop N       (a tight encrypt loop; prints ns per op)
 */
public final class CryptoProbe {
    static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final byte[] IV = "fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NONCE = "nonce-12byte".getBytes(StandardCharsets.US_ASCII);
    static final String RECORD = "{\"header\":{\"imei\":\"867530912345673\",\"appkey\":\"5f1a\"},\"event\":\"launch\"}";

    static void result(String name, byte[] data) {
        System.out.println("RESULT " + name + " " + HexFormat.of().formatHex(data));
    }

    static Cipher cbc(int mode) throws Exception {
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
        c.init(mode, new SecretKeySpec(KEY, "AES"), new IvParameterSpec(IV));
        return c;
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static void ops() throws Exception {
        byte[] plain = RECORD.getBytes(StandardCharsets.UTF_8);
        // Umeng-like: JSON -> gzip -> AES/CBC -> base64
        byte[] packed = gzip(plain);
        result("gzip", packed);
        byte[] sealed = cbc(Cipher.ENCRYPT_MODE).doFinal(packed);
        result("cbc", sealed);
        result("base64", Base64.getEncoder().encodeToString(sealed).getBytes(StandardCharsets.US_ASCII));
        // update + doFinal: one op
        Cipher c = cbc(Cipher.ENCRYPT_MODE);
        byte[] first = c.update(plain, 0, 20);
        byte[] rest = c.doFinal(plain, 20, plain.length - 20);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(first);
        both.write(rest);
        result("cbc_update", both.toByteArray());
        // in place: output written over the input array
        byte[] buffer = new byte[64];
        System.arraycopy(plain, 0, buffer, 0, 32);
        int n = cbc(Cipher.ENCRYPT_MODE).doFinal(buffer, 0, 32, buffer, 0);
        result("cbc_inplace", java.util.Arrays.copyOf(buffer, n));
        // ByteBuffer overload
        ByteBuffer in = ByteBuffer.wrap(plain);
        ByteBuffer out = ByteBuffer.allocateDirect(256);
        int m = cbc(Cipher.ENCRYPT_MODE).doFinal(in, out);
        out.flip();
        byte[] viaBuffers = new byte[m];
        out.get(viaBuffers);
        result("cbc_buffers", viaBuffers);
        // ByteDance-like: JSON -> AES/GCM -> raw bytes
        Cipher g = Cipher.getInstance("AES/GCM/NoPadding");
        g.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, NONCE));
        result("gcm", g.doFinal(plain));
        // decrypt
        result("decrypted", cbc(Cipher.DECRYPT_MODE).doFinal(sealed));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        mac.update(plain);
        result("mac", mac.doFinal());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        result("digest", md.digest(plain));
        md.update(plain, 0, 10);
        md.update(plain, 10, plain.length - 10);
        result("digest_update", md.digest());
        // a large input: the capture keeps the first 64 KiB and hashes the whole
        byte[] big = new byte[200_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        result("big_sha256", MessageDigest.getInstance("SHA-256").digest(cbc(Cipher.ENCRYPT_MODE).doFinal(big)));
    }

    static void http(String base) throws Exception {
        byte[] body = Base64.getEncoder().encode(cbc(Cipher.ENCRYPT_MODE).doFinal(gzip(RECORD.getBytes(StandardCharsets.UTF_8))));
        HttpURLConnection conn = (HttpURLConnection) new URL(base + "/urlconnection?x=1").openConnection();
        conn.setRequestMethod("POST");
        conn.setDoOutput(true);
        try (OutputStream os = conn.getOutputStream()) {
            os.write(body);
        }
        System.out.println("STATUS urlconnection " + conn.getResponseCode());
        try (InputStream is = conn.getInputStream()) {
            is.readAllBytes();
        }
        try {
            Class.forName("okhttp3.OkHttpClient");
        } catch (ClassNotFoundException e) {
            return;
        }
        OkHttpUploads.run(base, body);
    }

    static void loop(int count) throws Exception {
        byte[] plain = RECORD.getBytes(StandardCharsets.UTF_8);
        Cipher c = cbc(Cipher.ENCRYPT_MODE);
        byte[] last = null;
        for (int i = 0; i < count / 10; i++) {
            last = c.doFinal(plain); // warm up
        }
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            last = c.doFinal(plain);
        }
        long elapsed = System.nanoTime() - start;
        System.out.println("LOOP " + count + " " + elapsed + " " + HexFormat.of().formatHex(last));
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "ops" -> ops();
            case "http" -> http(args[1]);
            case "ops+http" -> { // one JVM for both (the tests' one hooked run)
                ops();
                http(args[1]);
            }
            case "loop" -> {
                if (args.length > 2) {
                    Thread.sleep(Long.parseLong(args[2])); // time for a late attach (experiments)
                }
                loop(Integer.parseInt(args[1]));
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }
}
