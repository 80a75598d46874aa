package android.provider;

import android.content.ContentResolver;
import android.database.Cursor;
import android.net.Uri;

/** Fake {@code android.provider.MediaStore}: the deprecated {@code Images.Media.query} helper. */
public final class MediaStore {
    public static final String AUTHORITY = "media";

    private MediaStore() {}

    /** Fake {@code android.provider.MediaStore$Images}. */
    public static final class Images {
        private Images() {}

        /** Fake {@code android.provider.MediaStore$Images$Media}. */
        public static final class Media {
            public static final Uri EXTERNAL_CONTENT_URI = Uri.parse("content://media/external/images/media");

            private Media() {}

            /** As in AOSP: a plain ContentResolver.query (one more hooked call underneath). */
            @Deprecated
            public static final Cursor query(ContentResolver cr, Uri uri, String[] projection) {
                return cr.query(uri, projection, null, null, null);
            }
        }
    }
}
