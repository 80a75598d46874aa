package android.database;

import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.database.MatrixCursor}: rows held in memory. */
public class MatrixCursor extends AbstractCursor {
    private final String[] mColumnNames;
    private final List<Object[]> mRows = new ArrayList<>();

    public MatrixCursor(String[] columnNames) {
        mColumnNames = columnNames;
    }

    public void addRow(Object[] columnValues) {
        if (columnValues.length != mColumnNames.length) {
            throw new IllegalArgumentException("columnNames.length = " + mColumnNames.length
                    + ", columnValues.length = " + columnValues.length);
        }
        mRows.add(columnValues.clone());
    }

    @Override
    public int getCount() {
        return mRows.size();
    }

    @Override
    public String[] getColumnNames() {
        return mColumnNames.clone();
    }

    @Override
    protected Object get(int column) {
        if (mPos < 0 || mPos >= mRows.size()) {
            throw new IllegalStateException("CursorIndexOutOfBoundsException: index " + mPos);
        }
        return mRows.get(mPos)[column];
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MatrixCursor{rows=[");
        for (int r = 0; r < mRows.size(); r++) {
            if (r > 0) {
                sb.append(", ");
            }
            sb.append('{');
            for (int c = 0; c < mColumnNames.length; c++) {
                if (c > 0) {
                    sb.append(", ");
                }
                sb.append(mColumnNames[c]).append(':').append(mRows.get(r)[c]);
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }
}
