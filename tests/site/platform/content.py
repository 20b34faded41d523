"""What the platform-like fixture pages say: posts, products, live-room scripts.

The texts plant Advertising Law breaches the ad analyzer must flag (absolute terms,
medical claims, guaranteed returns and passes, an unlabelled advertorial) next to lawful
sentences, so an end-to-end crawl shows both that the content was captured and that it
was flagged. Tests import PLANTED to know which phrases each page carries.
"""

from __future__ import annotations

from typing import Any

SEEDING: dict[str, dict[str, Any]] = {
    "1001": {
        "title": "熬夜党亲测｜这瓶面霜让我告别暗沉",
        "author": "小鹿爱护肤",
        "published": "2026-11-20T20:15:00+08:00",
        "paragraphs": [
            "最近连续加班熬夜，皮肤状态一直很差，朋友推荐了这款修护面霜。",
            "用了两周，这是我用过最好的面霜，补水效果全网第一，还能治疗痘痘、根治敏感肌！",
            "现在下单领券立减50元，优惠码 LUCKY50，戳下方链接购买～",
        ],
        "product": {
            "name": "臻颜修护面霜 50ml",
            "price": "¥199.00",
            "href": "/platform/product/sku-77",
        },
        "comments": ["求链接！", "真的有这么好用吗", "已下单，坐等收货"],
    },
}

ADVERTORIAL: dict[str, dict[str, Any]] = {
    "2001": {
        "title": "失眠困扰千万人，专家揭秘一款“安睡神器”",
        "author": "健康生活周刊 记者 王明",
        "published": "2026-11-18T09:00:00+08:00",
        "paragraphs": [
            "据统计，我国有超过三亿人存在睡眠障碍，长期失眠严重影响工作与生活。",
            "安睡宝草本枕采用独家配方，临床治愈率高达98%，可根治失眠，无副作用。",
            "即日起通过文末链接购买立享五折，输入优惠码 SLEEP2026 再减30元。",
        ],
        "product": {"name": "安睡宝草本枕", "price": "¥268.00", "href": "/platform/product/sku-88"},
        "comments": ["已经买了两个", "给爸妈也买一个"],
    },
}

PRODUCTS: dict[str, dict[str, Any]] = {
    "sku-77": {
        "title": "臻颜修护面霜 官方旗舰店",
        "shop": "臻颜官方旗舰店",
        "published": "2026-11-01T10:00:00+08:00",
        "paragraphs": [
            "销量全网第一的修护面霜，顶级成分，一抹见效。",
            "专为敏感肌研发，温和配方，适合日常使用。",
        ],
        "cards": [
            {
                "name": "臻颜修护面霜 50ml",
                "price": "¥199.00",
                "href": "/platform/product/sku-77?spec=50",
            },
            {
                "name": "臻颜修护面霜 100ml 家庭装",
                "price": "¥359.00",
                "href": "/platform/product/sku-77?spec=100",
            },
            {"name": "臻颜补水精华 30ml", "price": "¥159.00", "href": "/platform/product/sku-78"},
        ],
        "comments": ["包装很好，物流很快", "用了一周还不错"],
    },
    "fund-9": {
        "title": "稳盈宝理财计划 限时开售",
        "shop": "稳盈财富",
        "published": "2026-11-10T10:00:00+08:00",
        "paragraphs": [
            "年化收益8%，保本保息，稳赚不赔，零风险理财首选。",
            "起投金额1000元，随时可赎回。",
        ],
        "cards": [
            {
                "name": "稳盈宝90天",
                "price": "¥1,000起投",
                "href": "/platform/product/fund-9?term=90",
            },
            {
                "name": "稳盈宝180天",
                "price": "¥5,000起投",
                "href": "/platform/product/fund-9?term=180",
            },
        ],
        "comments": [],
    },
}

# A post whose body the platform renders empty: bad input the crawl records and passes.
EMPTY_POST = {
    "title": "",
    "author": "无名用户",
    "published": "2026-11-21T08:00:00+08:00",
    "paragraphs": [],
    "product": None,
    "comments": [],
}

# Live room scripts: (speaker, text). Transcript lines are spoken by the anchor, danmaku
# come from viewers. Lines appear one per tick of the room clock (see server.LiveRoom).
LIVE_ROOMS: dict[str, dict[str, Any]] = {
    "room-5": {
        "title": "双十二预热｜考证冲刺课直播专场",
        "anchor": "学霸老师阿杰",
        "transcript": [
            "欢迎新进直播间的宝宝们，今天给大家带来我们的冲刺课。",
            "这套课程已经帮助上万名学员拿到证书。",
            "我们这个课程报名就包过，不过全额退款！",
            "另外我们的合作理财产品保本稳赚，年化收益保证10%。",
            "名额有限，点击下方小黄车下单。",
        ],
        "danmaku": [
            "来了来了",
            "老师好",
            "真的包过吗",
            "已拍",
            "多少钱",
            "666",
        ],
        "cards": [
            {"name": "考证冲刺全程班", "price": "¥1,980.00", "href": "/platform/product/course-1"},
        ],
    },
}

# Infinite-scroll feed: FEED_TOTAL items, FEED_PAGE per fetch.
FEED_TOTAL = 45
FEED_PAGE = 10


def feed_item(n: int) -> dict[str, Any]:
    """Item n (0-based) of the feed; every 7th carries an absolute claim."""
    text = f"第{n + 1}条笔记：今日好物分享，平价好用。"
    if n % 7 == 3:
        text = f"第{n + 1}条笔记：这是全网最低价，史上最强的防晒霜！"
    return {
        "id": n,
        "title": f"好物分享 #{n + 1}",
        "text": text,
        "href": f"/platform/seeding/{1001}",
    }


def bench_post(n: int) -> dict[str, Any]:
    """A generated seeding post for the browser benchmark (no breach required)."""
    return {
        "title": f"测评笔记第{n}篇：通勤包里的小物件",
        "author": f"用户{n % 97}",
        "published": "2026-11-22T12:00:00+08:00",
        "paragraphs": [
            f"这是第{n}篇笔记。今天分享几件通勤时常用的小物件，价格都不贵。",
            "保温杯容量合适，雨伞轻便，耳机续航够用一整天。",
        ],
        "product": {
            "name": f"通勤保温杯 {n}",
            "price": f"¥{49 + n % 50}.00",
            "href": f"/platform/product/b{n}",
        },
        "comments": ["收藏了", "同款保温杯"],
    }


# Phrases planted per page that the ad analyzer must flag, with the AD ids (STANDARDS.md)
# a finding on them may carry: the sector decides between some (AD-16 for medical goods,
# AD-17 for food, cosmetics and ordinary goods).
MEDICAL = {"AD-16", "AD-17", "AD-18"}
PLANTED: dict[str, dict[str, set[str]]] = {
    "/platform/seeding/1001": {"最好": {"AD-9-3"}, "全网第一": {"AD-9-3"}, "治疗痘痘": MEDICAL},
    "/platform/advertorial/2001": {"治愈率": MEDICAL, "根治失眠": MEDICAL},
    "/platform/product/sku-77": {"全网第一": {"AD-9-3"}, "顶级": {"AD-9-3"}},
    "/platform/product/fund-9": {"保本": {"AD-25"}, "稳赚": {"AD-25"}},
    "/platform/live/room-5": {"包过": {"AD-24"}, "保本": {"AD-25"}},
    "/platform/feed/main": {"最低价": {"AD-9-3"}},
}
