package android.content;

/** Fake {@code android.content.ClipDescription}: label and MIME types, not the content. */
public class ClipDescription {
    public static final String MIMETYPE_TEXT_PLAIN = "text/plain";

    private final CharSequence mLabel;
    private final String[] mMimeTypes;

    public ClipDescription(CharSequence label, String[] mimeTypes) {
        mLabel = label;
        mMimeTypes = mimeTypes.clone();
    }

    public CharSequence getLabel() {
        return mLabel;
    }

    public int getMimeTypeCount() {
        return mMimeTypes.length;
    }

    public String getMimeType(int index) {
        return mMimeTypes[index];
    }

    public boolean hasMimeType(String mimeType) {
        for (String m : mMimeTypes) {
            if (m.equals(mimeType)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ClipDescription { " + String.join(" ", mMimeTypes) + " \"" + mLabel + "\" }";
    }
}
