"""Regenerate the clean corpus (no personal data): python generate.py tests/policies/detect/corpus"""

import base64
import json
import random
import string
import sys
import uuid
from pathlib import Path

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
R = random.Random(20231114)


def h(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def word():
    return R.choice(
        [
            "home",
            "detail",
            "cart",
            "feed",
            "video",
            "live",
            "search",
            "profile",
            "coupon",
            "banner",
            "item",
            "shop",
            "order",
            "share",
            "comment",
        ]
    )


def uid():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


TITLES = [
    "夏季新款连衣裙 修身显瘦",
    "无线蓝牙耳机 降噪长续航",
    "进口坚果礼盒 每日坚果",
    "儿童益智积木玩具",
    "家用空气炸锅 大容量",
    "Running shoes men breathable mesh",
    "Stainless steel water bottle 750ml",
    "机械键盘 青轴 RGB背光",
]

# 1. feed API response
items = []
for i in range(60):
    items.append(
        {
            "id": str(1725012345678901234 + R.randint(0, 10**12)),
            "type": R.choice(["goods", "video", "ad_banner"]),
            "title": R.choice(TITLES),
            "price": round(R.uniform(5, 999), 2),
            "origin_price": round(R.uniform(10, 1999), 2),
            "sales": R.randint(0, 200000),
            "score": round(R.random() * 5, 1),
            "ctr": round(R.random() / 10, 6),
            "cover": f"https://img.cdn-example.cn/{h(2)}/{h(32)}.jpg?x-oss-process=image/resize,w_360/quality,q_80",
            "shop": {
                "id": R.randint(10**7, 10**8),
                "name": R.choice(["官方旗舰店", "Global Store", "优选好物"]),
                "level": R.randint(1, 5),
            },
            "tags": R.sample(["包邮", "新品", "限时", "free shipping", "hot", "best seller"], 2),
            "ts": 1700000000000 + R.randint(0, 10**9),
            "trace_id": h(32),
            "request_id": uid(),
            "ext": {
                "rank": i,
                "algo": "dssm-v" + str(R.randint(1, 9)) + "." + str(R.randint(0, 20)),
                "exp": R.sample(range(1000, 9999), 3),
            },
        }
    )
(out / "api_feed.json").write_text(
    json.dumps(
        {
            "code": 0,
            "msg": "success",
            "data": {
                "list": items,
                "has_more": True,
                "cursor": base64.b64encode(json.dumps({"p": 2, "s": h(16)}).encode()).decode(),
            },
            "server_time": 1700000123456,
        },
        ensure_ascii=False,
        indent=1,
    ),
    encoding="utf-8",
)

# 2. remote config
cfg = {
    "version": "2023.11.14.3",
    "min_app_version": "9.1.0",
    "md5": h(32),
    "sha256": h(64),
    "flags": {f"enable_{word()}_{i}": R.random() < 0.5 for i in range(40)},
    "ab": {
        f"exp_{R.randint(1000, 9999)}": {"bucket": R.randint(0, 99), "group": R.choice(["control", "treatment_a", "treatment_b"])}
        for _ in range(20)
    },
    "endpoints": {
        "api": "https://api.example-shop.cn/v3",
        "log": "https://log.example-shop.cn/collect",
        "cdn": "https://static.cdn-example.cn",
    },
    "refresh_interval": 3600,
    "ratio": 0.125,
    "thresholds": [0.25, 0.5, 0.75, 0.99],
    "whitelist_versions": ["9.2.1", "9.3.0", "10.0.19041.1000"],
    "colors": {"primary": "#FF5000", "accent": "#1677FF"},
    "splash": {
        "start": "2023-11-11T00:00:00+08:00",
        "end": "2023-11-12T23:59:59+08:00",
        "image": f"https://static.cdn-example.cn/splash/{h(40)}.webp",
    },
}
(out / "config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")

# 3. analytics request without identifiers
events = [
    {
        "event": word() + "_" + R.choice(["show", "click", "stay"]),
        "ts": 1700000000123 + i * 731,
        "seq": i,
        "session": uid(),
        "params": {
            "page": word(),
            "refer": word(),
            "dur_ms": R.randint(10, 60000),
            "pos": R.randint(0, 30),
            "item": str(R.randint(10**9, 10**10)),
        },
    }
    for i in range(80)
]
(out / "analytics_request.json").write_text(
    json.dumps(
        {
            "app": {"key": h(24), "ver": "9.5.2", "build": 952001, "channel": "xiaomi"},
            "sdk": {"name": "stat-sdk", "ver": "5.0.3"},
            "os": {"name": "Android", "ver": "13", "api": 33},
            "screen": "1080x2400",
            "lang": "zh-CN",
            "net": "wifi",
            "events": events,
        },
        separators=(",", ":"),
    ),
    encoding="utf-8",
)

# 4. minified JS bundle
parts = [
    "/*! For license information please see main." + h(8) + ".js.LICENSE.txt */",
    '(()=>{"use strict";var e,t,n,r={' + h(3) + ":(e,t,n)=>{n.d(t,{Z:()=>o});var r=n(" + str(R.randint(100, 999)) + ");",
]


def ident():
    return R.choice("abcdefghijklmnopqrstuvwxyz") + "".join(R.choice(string.ascii_letters + "$_") for _ in range(R.randint(0, 2)))


snips = [
    lambda: (
        f"function {ident()}({ident()},{ident()}){{return {ident()}.{R.choice(['map', 'filter', 'reduce', 'forEach'])}((function(e){{return e.{R.choice(['id', 'key', 'value', 'name'])}!==void 0}}))}}"
    ),
    lambda: f'var {ident()}="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";',
    lambda: f"const {ident()}=/^(?:[a-z0-9!#$%&'*+/=?^_`{{|}}~-]+(?:\\.[a-z0-9!#$%&'*+/=?^_`{{|}}~-]+)*)$/i;",
    lambda: (
        f"{ident()}.prototype.{R.choice(['getElementsByClassName', 'addEventListener', 'removeEventListener', 'querySelectorAll', 'dispatchEvent'])}=function(){{}};"
    ),
    lambda: f'e.exports={{id:"{h(8)}",hash:"{h(20)}",chunk:{R.randint(100, 999)}}};',
    lambda: (
        f'var {ident()}={{primary:"#{h(6)}",secondary:"#{h(6)}",fontSize:"{R.randint(10, 24)}px",lineHeight:{round(R.uniform(1, 2), 3)}}};'
    ),
    lambda: (
        f'{ident()}.src="data:image/svg+xml;base64,{base64.b64encode(("<svg xmlns=" + chr(34) + "http://www.w3.org/2000/svg" + chr(34) + " viewBox=" + chr(34) + "0 0 24 24" + chr(34) + "><path d=" + chr(34) + "M12 2L2 7l10 5 10-5-10-5z" + chr(34) + "/></svg>").encode()).decode()}";'
    ),
    lambda: f'fetch("https://api.example-shop.cn/v3/{word()}?_t="+Date.now()).then((function(e){{return e.json()}}));',
    lambda: (
        f"var {ident()}=Math.floor({R.randint(1, 9)}e3*Math.random()),{ident()}=0x{h(8)},{ident()}={R.randint(10**9, 10**10)};"
    ),
    lambda: (
        f'if(typeof window!=="undefined"&&window.navigator&&/Android|iPhone/i.test(navigator.userAgent)){{{ident()}("{word()}")}}'
    ),
    lambda: f'{ident()}.version="{R.randint(1, 20)}.{R.randint(0, 30)}.{R.randint(0, 300)}";',
    lambda: f'try{{localStorage.setItem("{word()}_cache_v{R.randint(1, 9)}",JSON.stringify({ident()}))}}catch({ident()}){{}}',
]
while sum(len(p) for p in parts) < 60000:
    parts.append(R.choice(snips)())
parts.append("})();\n//# sourceMappingURL=main." + h(8) + ".js.map\n")
(out / "app.min.js").write_text("".join(parts), encoding="utf-8")

# 5. HTML page
cards = "".join(
    f'<li class="card card--{word()}" data-id="{R.randint(10**6, 10**7)}" data-spm="a{R.randint(100, 999)}.{R.randint(1000, 9999)}.{R.randint(1, 99)}"><img loading="lazy" src="https://img.cdn-example.cn/{h(2)}/{h(32)}.jpg_360x360q80.webp" alt="{R.choice(TITLES)}"><p class="price">¥{round(R.uniform(5, 999), 2)}</p></li>'
    for _ in range(80)
)
html = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=no">
<title>优选好物 - 官方商城</title><meta name="description" content="正品保障 7天无理由退货"><link rel="stylesheet" href="https://static.cdn-example.cn/css/main.{h(8)}.css" integrity="sha384-{base64.b64encode(bytes(R.getrandbits(8) for _ in range(48))).decode()}" crossorigin="anonymous">
<link rel="icon" href="data:image/png;base64,{base64.b64encode(bytes(R.getrandbits(8) for _ in range(90))).decode()}">
<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", "@type": "Organization", "url": "https://www.example-shop.cn", "logo": "https://www.example-shop.cn/logo@2x.png", "contactPoint": {"@type": "ContactPoint", "telephone": "400-820-8820", "contactType": "customer service"}}, ensure_ascii=False)}</script>
<style>.card{{display:inline-block;width:48%;margin:1%}}.price{{color:#ff5000;font-size:16px}}@media (min-width:768px){{.card{{width:23%}}}}</style></head>
<body><header><nav><a href="/">首页</a><a href="/category">分类</a><a href="/cart">购物车</a><a href="/me">我的</a></nav></header><main><ul class="grid">{cards}</ul></main>
<footer><p>© 2023 Example Shop 版权所有 京ICP备12345678号-1 京公网安备 11010502030123号</p><p>客服邮箱 <a href="mailto:service@example-shop.cn">service@example-shop.cn</a></p></footer>
<script src="https://static.cdn-example.cn/js/main.{h(8)}.js" defer></script></body></html>"""
(out / "page.html").write_text(html, encoding="utf-8")

# 6. CSS from a CDN
css = "".join(
    f".{word()}-{h(5)}{{background:url(/img/{h(16)}.png) no-repeat;color:#{h(6)};margin:{R.randint(0, 20)}px {R.randint(0, 20)}px;transition:all .{R.randint(1, 9)}s cubic-bezier(.{R.randint(10, 99)},.{R.randint(10, 99)},.{R.randint(10, 99)},1)}}"
    for _ in range(250)
)
css += (
    '@font-face{font-family:"IconFont";src:url(data:font/woff2;base64,'
    + base64.b64encode(bytes(R.getrandbits(8) for _ in range(1500))).decode()
    + ') format("woff2")}'
)
(out / "styles.css").write_text(css, encoding="utf-8")

# 7. HLS playlist
m3u8 = (
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:1700000\n"
    + "".join(
        f"#EXT-X-PROGRAM-DATE-TIME:2023-11-14T10:{i // 10:02d}:{(i * 6) % 60:02d}.000+08:00\n#EXTINF:6.006,\nhttps://vod.cdn-example.cn/{h(32)}/seg-{i}.ts?auth_key=1700003600-0-0-{h(32)}\n"
        for i in range(60)
    )
    + "#EXT-X-ENDLIST\n"
)
(out / "playlist.m3u8").write_text(m3u8, encoding="utf-8")

# 8. asset manifest
(out / "asset-manifest.json").write_text(
    json.dumps(
        {
            "files": {f"static/js/{i}.{h(8)}.chunk.js": f"/static/js/{i}.{h(8)}.chunk.js" for i in range(120)},
            "integrity": {
                f"{i}": "sha512-" + base64.b64encode(bytes(R.getrandbits(8) for _ in range(64))).decode() for i in range(40)
            },
            "etag": f'W/"{h(6)}-{h(27)}"',
        },
        indent=1,
    ),
    encoding="utf-8",
)
print("ok")
