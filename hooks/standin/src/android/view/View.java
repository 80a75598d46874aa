package android.view;

import android.content.Context;

/** Fake {@code android.view.View}: click listeners and {@code performClick}. */
public class View {
    public static final int VISIBLE = 0;
    public static final int GONE = 8;

    private final Context mContext;
    private OnClickListener mOnClickListener;
    private int mId = -1;
    private int mVisibility = VISIBLE;

    public View(Context context) {
        mContext = context;
    }

    public final Context getContext() {
        return mContext;
    }

    public void setOnClickListener(OnClickListener l) {
        mOnClickListener = l;
    }

    public boolean hasOnClickListeners() {
        return mOnClickListener != null;
    }

    /** Call the click listener, as the framework does on a tap. */
    public boolean performClick() {
        if (mOnClickListener != null) {
            mOnClickListener.onClick(this);
            return true;
        }
        return false;
    }

    public void setId(int id) {
        mId = id;
    }

    public int getId() {
        return mId;
    }

    public void setVisibility(int visibility) {
        mVisibility = visibility;
    }

    public int getVisibility() {
        return mVisibility;
    }

    /** Fake {@code android.view.View$OnClickListener}. */
    public interface OnClickListener {
        void onClick(View v);
    }
}
