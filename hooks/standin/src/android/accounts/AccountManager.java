package android.accounts;

import android.content.Context;
import com.android.internal.standin.Fake;
import java.util.ArrayList;
import java.util.List;

/** Fake {@code android.accounts.AccountManager}: a Google and a Xiaomi account. */
public class AccountManager {
    private final Context mContext;

    /** @hide */
    public AccountManager(Context context) {
        mContext = context;
    }

    public static AccountManager get(Context context) {
        return (AccountManager) context.getSystemService(Context.ACCOUNT_SERVICE);
    }

    private static Account[] all() {
        return new Account[] {
            new Account(Fake.value("account_email"), "com.google"),
            new Account(Fake.value("account_phone"), "com.xiaomi"),
        };
    }

    public Account[] getAccounts() {
        return Fake.ret("android.accounts.AccountManager#getAccounts()", all());
    }

    public Account[] getAccountsByTypeForPackage(String type, String packageName) {
        List<Account> out = new ArrayList<>();
        for (Account a : all()) {
            if (type == null || a.type.equals(type)) {
                out.add(a);
            }
        }
        return Fake.ret("android.accounts.AccountManager#getAccountsByTypeForPackage(java.lang.String,java.lang.String)",
                out.toArray(new Account[0]));
    }

    /** Null, as for any caller that is not the account's authenticator. */
    public String getPassword(Account account) {
        return Fake.ret("android.accounts.AccountManager#getPassword(android.accounts.Account)", (String) null);
    }

    public String getUserData(Account account, String key) {
        String v = "com.xiaomi".equals(account.type) && "userId".equals(key) ? "2881009527" : null;
        return Fake.ret("android.accounts.AccountManager#getUserData(android.accounts.Account,java.lang.String)", v);
    }

    public Account[] getAccountsByType(String type) {
        List<Account> out = new ArrayList<>();
        for (Account a : all()) {
            if (a.type.equals(type)) {
                out.add(a);
            }
        }
        return Fake.ret("android.accounts.AccountManager#getAccountsByType(java.lang.String)",
                out.toArray(new Account[0]));
    }
}
