package kotlin.jvm.functions;

/** Fake Kotlin {@code Function0}: the parameter type of OkHttp 4's {@code CertificatePinner.check$okhttp}. */
public interface Function0<R> {
    R invoke();
}
