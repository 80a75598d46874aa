package android.database;

/** Fake {@code android.database.AbstractCursor}. */
public abstract class AbstractCursor implements Cursor {
    protected int mPos = -1;
    protected boolean mClosed;

    public AbstractCursor() {}

    protected abstract Object get(int column);

    @Override
    public int getPosition() {
        return mPos;
    }

    @Override
    public boolean moveToPosition(int position) {
        int count = getCount();
        if (position >= count) {
            mPos = count;
            return false;
        }
        if (position < 0) {
            mPos = -1;
            return false;
        }
        mPos = position;
        return true;
    }

    @Override
    public boolean moveToFirst() {
        return moveToPosition(0);
    }

    @Override
    public boolean moveToNext() {
        return moveToPosition(mPos + 1);
    }

    @Override
    public boolean isAfterLast() {
        return getCount() == 0 || mPos == getCount();
    }

    @Override
    public int getColumnIndex(String columnName) {
        String[] names = getColumnNames();
        for (int i = 0; i < names.length; i++) {
            if (names[i].equalsIgnoreCase(columnName)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int getColumnIndexOrThrow(String columnName) {
        int i = getColumnIndex(columnName);
        if (i < 0) {
            throw new IllegalArgumentException("column '" + columnName + "' does not exist");
        }
        return i;
    }

    @Override
    public String getColumnName(int columnIndex) {
        return getColumnNames()[columnIndex];
    }

    @Override
    public int getColumnCount() {
        return getColumnNames().length;
    }

    @Override
    public String getString(int column) {
        Object v = get(column);
        return v == null ? null : v.toString();
    }

    @Override
    public int getInt(int column) {
        Object v = get(column);
        return v instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(v));
    }

    @Override
    public long getLong(int column) {
        Object v = get(column);
        return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v));
    }

    @Override
    public double getDouble(int column) {
        Object v = get(column);
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
    }

    @Override
    public boolean isNull(int column) {
        return get(column) == null;
    }

    @Override
    public void close() {
        mClosed = true;
    }

    @Override
    public boolean isClosed() {
        return mClosed;
    }
}
