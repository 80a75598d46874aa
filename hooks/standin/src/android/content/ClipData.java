package android.content;

import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.content.ClipData}. */
public class ClipData {
    private final CharSequence mLabel;
    private final String[] mMimeTypes;
    private final List<Item> mItems = new ArrayList<>();

    public ClipData(CharSequence label, String[] mimeTypes, Item item) {
        mLabel = label;
        mMimeTypes = mimeTypes;
        mItems.add(item);
    }

    public static ClipData newPlainText(CharSequence label, CharSequence text) {
        return new ClipData(label, new String[] {"text/plain"}, new Item(text));
    }

    public void addItem(Item item) {
        mItems.add(item);
    }

    public int getItemCount() {
        return mItems.size();
    }

    public Item getItemAt(int index) {
        return mItems.get(index);
    }

    public CharSequence getLabel() {
        return mLabel;
    }

    public ClipDescription getDescription() {
        return new ClipDescription(mLabel, mMimeTypes);
    }

    @Override
    public String toString() {
        return "ClipData { " + (mMimeTypes.length > 0 ? mMimeTypes[0] : "") + " {T:"
                + (mItems.isEmpty() ? "" : mItems.get(0).getText()) + "} }";
    }

    /** Fake {@code android.content.ClipData$Item}. */
    public static class Item {
        private final CharSequence mText;

        public Item(CharSequence text) {
            mText = text;
        }

        public CharSequence getText() {
            return mText;
        }

        public CharSequence coerceToText(Context context) {
            return mText == null ? "" : mText;
        }

        @Override
        public String toString() {
            return "ClipData.Item { T:" + mText + " }";
        }
    }
}
