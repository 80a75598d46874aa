package android.database;

import java.io.Closeable;

/** Fake {@code android.database.Cursor}. */
public interface Cursor extends Closeable {
    int getCount();

    int getPosition();

    boolean moveToFirst();

    boolean moveToNext();

    boolean moveToPosition(int position);

    boolean isAfterLast();

    int getColumnIndex(String columnName);

    int getColumnIndexOrThrow(String columnName) throws IllegalArgumentException;

    String getColumnName(int columnIndex);

    String[] getColumnNames();

    int getColumnCount();

    String getString(int columnIndex);

    int getInt(int columnIndex);

    long getLong(int columnIndex);

    double getDouble(int columnIndex);

    boolean isNull(int columnIndex);

    @Override
    void close();

    boolean isClosed();
}
