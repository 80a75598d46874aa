package android.content;

import android.database.Cursor;
import android.database.MatrixCursor;
import android.net.Uri;
import android.os.Bundle;
import android.os.CancellationSignal;
import com.android.internal.standin.Fake;

/**
 * Fake {@code android.content.ContentResolver}. {@code query} answers the contacts, SMS, call log,
 * calendar and media authorities with one fixed row each. The overloads do not call each other.
 */
public abstract class ContentResolver {
    public static final String SCHEME_CONTENT = "content";
    public static final String QUERY_ARG_SQL_SELECTION = "android:query-arg-sql-selection";

    private final Context mContext;

    public ContentResolver(Context context) {
        mContext = context;
    }

    public final Cursor query(Uri uri, String[] projection, String selection, String[] selectionArgs,
            String sortOrder) {
        return Fake.ret("android.content.ContentResolver#query(android.net.Uri,java.lang.String[],"
                + "java.lang.String,java.lang.String[],java.lang.String)", rows(uri, projection));
    }

    public final Cursor query(Uri uri, String[] projection, String selection, String[] selectionArgs,
            String sortOrder, CancellationSignal cancellationSignal) {
        return Fake.ret("android.content.ContentResolver#query(android.net.Uri,java.lang.String[],"
                + "java.lang.String,java.lang.String[],java.lang.String,android.os.CancellationSignal)",
                rows(uri, projection));
    }

    public final Cursor query(Uri uri, String[] projection, Bundle queryArgs,
            CancellationSignal cancellationSignal) {
        return Fake.ret("android.content.ContentResolver#query(android.net.Uri,java.lang.String[],"
                + "android.os.Bundle,android.os.CancellationSignal)", rows(uri, projection));
    }

    public final String getType(Uri url) {
        return null;
    }

    private static Cursor rows(Uri uri, String[] projection) {
        String authority = String.valueOf(uri.getAuthority());
        String path = String.valueOf(uri.getPath());
        String[] cols;
        Object[] row;
        if (authority.equals("com.android.contacts")) {
            cols = new String[] {"_id", "display_name", "data1"};
            row = new Object[] {1L, Fake.value("contact_name"), Fake.value("contact_phone")};
        } else if (authority.equals("sms")) {
            cols = new String[] {"_id", "address", "body", "date"};
            row = new Object[] {7L, Fake.value("sms_address"), Fake.value("sms_body"), 1714528800000L};
        } else if (authority.equals("call_log")) {
            cols = new String[] {"_id", "number", "duration", "date", "type"};
            row = new Object[] {3L, Fake.value("call_number"), 62L, 1714532400000L, 1};
        } else if (authority.equals("com.android.calendar")) {
            cols = new String[] {"_id", "title", "dtstart"};
            row = new Object[] {11L, Fake.value("calendar_title"), 1714618800000L};
        } else if (authority.equals("media") && path.contains("images")) {
            cols = new String[] {"_id", "_data", "_display_name"};
            String p = Fake.value("media_path");
            row = new Object[] {42L, p, p.substring(p.lastIndexOf('/') + 1)};
        } else {
            return null; // unknown provider: real resolvers return null
        }
        MatrixCursor c = new MatrixCursor(cols);
        c.addRow(row);
        return c;
    }

    /** Insert a row; returns the new row's URI (MediaStore: a new item in shared storage). */
    public final Uri insert(Uri url, ContentValues values) {
        return Uri.parse(url.toString() + "/1001");
    }

    public final int update(Uri uri, ContentValues values, String where, String[] selectionArgs) {
        return 0;
    }

    public final int delete(Uri url, String where, String[] selectionArgs) {
        return 0;
    }

    public final int bulkInsert(Uri url, ContentValues[] values) {
        return values.length;
    }
}
