"""Typos repaired: from pinyin input (商标住册 → 商标注册, 专力 → 专利) and look-alike
characters (保扩 → 保护, 侵杈 → 侵权).

An input method offers every character with the sound typed; a hurried citizen takes the wrong
one. A word of the vocabulary (the knowledge base's words for the search, the gazetteer's for the
NLU tokenizer) with one character swapped for a homophone or a look-alike is read as that word, unless the
swapped form is itself a word (the vocabulary, or jieba's dictionary unless RARE there), or two
words could have made it. A repair keeps the text's length, so offsets into it stay valid.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

import jieba
from pypinyin import lazy_pinyin

_CJK = re.compile(r"[\u4e00-\u9fff]+")

# Pinyin input turns 商标注册 into 商标住册: a character is replaced by one that sounds the same.
# Each group is a character of the gazetteer's canonical terms followed by the four most frequent
# GB2312 characters with the same pinyin (jieba's frequencies; generated once with pypinyin). A knowledge-base word with one such character swapped is
# read as that word, unless the swapped form is itself a word.
HOMOPHONES = """
    三散 上伤尚商赏 专转 业也页叶夜 个各哥格隔 中种重众钟 举据居句具 久就酒九旧
    五无物吴武 产澶 人任认忍 代带待戴呆 件见间剑建 企其起气七 优有又由右 会回挥毁灰
    体提题替踢 作做坐左座 例里力离李 侵亲秦 保报抱包宝 先县现线显 入如 公共供宫功
    具据居举句 册侧测 决觉绝 减见间剑建 划话花画化 利里力离李 办半板班版 加家架假甲
    务无五物吴 助住主朱驻 势是时使事 区去取曲娶 十是时使事 南难男 印因银引饮 县先现线显
    发法罚 受手首收守 变便边编遍 可科克客课 商上伤尚赏 四死寺司斯 回会挥毁灰 国过果郭锅
    地第低底敌 场常厂唱 址之只至直 型行性形姓 培陪配 复副府赴负 多躲夺 大打达答搭
    实是时使事 审身甚神深 家加架假甲 导到道倒刀 少烧稍 局据居举句 展占站战斩 工共供宫功
    市是时使事 布不部步补 年念 店点电殿 康抗 强抢墙枪 心新信 志之只至直 息西系喜浠
    户湖忽虎胡 才菜猜彩 投头透偷 抢强墙枪 护湖忽虎户 报抱包保宝 押呀亚压牙 援元原远院
    收手受首守 放方房防 政正争证怔 料辽 新心信 无五物吴武 时是使事市 明名命 服副府复赴
    机及即既极 权全劝圈拳 材才菜猜彩 条跳挑 构够狗沟 查茶差插 标表 橙成称城呈 比必逼笔毕
    求球秋 油有又由右 注住主朱驻 流六留刘柳 海还害 港刚岗钢纲 湾万完晚玩 澳奥 理里力离李
    用拥涌 申身甚神深 电点殿店 监见间剑建 知之只至直 示是时使事 社设射蛇 程成称城呈
    窗床闯创 站占战斩 答大打达搭 管官关观馆 粤月约越曰 系西喜浠细 统同通铜痛 续需须虚许
    维为未位微 网王往望忘 脐其起气七 范反饭凡翻 茶差插查 行性型形姓 裁才菜猜彩 要药咬腰幺
    观官管关馆 规归鬼贵跪 计及即既极 训讯寻 许需须虚徐 设射社蛇 证正争政怔 识是时使事
    诉素苏速 话花画化华 请清情轻青 质之只至直 贯官管关观灌惯冠 贴铁 贷带待代戴 费非飞废妃
    资自字子紫 赣干敢感赶 转专 金进今近仅 钱前千迁浅 间见剑建兼 附副府复赴 险先县现线
    集及即既极 项向想像相 预与于鱼余 驳波拨
"""
# Typos seen in citizens' questions that the four-most-frequent rule above misses (专丽, 费剪,
# 砖利): more characters with the sound of a key character, added by hand.
HOMOPHONES_SEEN = """
    利丽立例粒 减剪简检捡件 费废肺沸 专砖赚 标镖彪 审婶沈 押鸭 查察 册策 展斩 续叙 优忧悠 先鲜
    质致制 权泉 诉塑 侵钦 商伤 援缘圆园源
"""

# Handwriting and stroke input (and a quick glance at a phone's candidate list) take a character
# that looks like the right one: 保扩 for 保护, 侵杈 for 侵权, 商栎 for 商标. Each group is a
# character of the domain's key words followed by common look-alikes (形近字: a shared component,
# one stroke more or less). Read the same way as a homophone: only where the result is no word.
LOOKALIKES = """
    专砖传 利科刹俐梨 费贵赞 减咸碱喊 权杈叔枚 侵浸寝 护扩沪炉 商摘滴啇 标栎杯际 册删丹
    审宙 查査杳 明眀朋 范苑氾 质盾贡 押钾柙抽 维堆准锥 援缓媛暖 助阻组 诉拆斥析 投设役没
    报扳 冒胃 异导 议仪 复夏 驳骏较 续读绥 展屐辗 注往柱洼 转砖传 让计 变弯 请清情睛
    证征怔 记纪 登凳澄 优扰忧 判叛拌 裁栽载哉 决诀块快 橙澄 脐挤济 茶荼 油抽袖 站沾
    导异 航舫杭 稀烯晞 缴激檄 纳呐钠 税锐悦说 规现观视 型刑形 效郊 监蓝 管菅
    许浒 授援 申甲由电 识织职 产严 理埋狸 地她池 志忐 保堡 外处 新薪 策荣 检捡验 测浏
    鉴签 贷货 款欵 估佑 值植殖 资姿 金全 融隔 域城 赣戆 县悬 区匹 窗囱
    术木朮
"""


def _sounds() -> dict[str, str]:
    """Character → the characters a typo may put in its place: sound-alikes and look-alikes."""
    sounds = {g[0]: g[1:] for g in HOMOPHONES.split()}
    for g in HOMOPHONES_SEEN.split() + LOOKALIKES.split():
        sounds[g[0]] = sounds.get(g[0], "") + "".join(c for c in g[1:] if c not in sounds.get(g[0], ""))
    return sounds


# jieba's dictionary holds rare "words" that are mostly typos themselves (专力 3, 亲权 3, 保户 4):
# below this frequency a homophone swap of one of our words is read as that word.
RARE = 10


# Beyond the groups above, a run of SOUND_MIN or more characters that is no word and sounds
# exactly like one term of the gazetteer (toneless pinyin, character by character) is read as
# that term, when at least half its characters are already right: 地理标致 → 地理标志 (标致 is a
# word, so no single swap above may touch it), 知识产全 → 知识产权, 公基金 → 公积金. Two
# characters are too few: 事业 and 失业 sound alike and are both words.
SOUND_MIN, SOUND_MAX = 3, 6


@lru_cache(maxsize=8192)
def _sound(ch: str) -> str:
    return lazy_pinyin(ch)[0]


def sound_of(text: str) -> str:
    return " ".join(_sound(ch) for ch in text)


class TypoTable:
    def __init__(self, vocabulary: Iterable[str], by_sound: Iterable[str] = ()):
        """by_sound: terms a run that sounds like one is read as (SOUND_MIN)."""
        self.vocab = {w for w in vocabulary if len(w) >= 2 and _CJK.fullmatch(w)}
        jieba.dt.check_initialized()
        sounds = _sounds()
        self.typos: dict[str, str] = {}
        clashes = set()
        for word in self.vocab:
            for i, ch in enumerate(word):
                for alt in sounds.get(ch, ""):
                    typo = word[:i] + alt + word[i + 1:]
                    if typo in self.vocab or jieba.dt.FREQ.get(typo, 0) >= RARE:
                        continue  # a real word, not a typo
                    if self.typos.setdefault(typo, word) != word:
                        clashes.add(typo)  # could be either of two words: leave it alone
        for typo in clashes:
            del self.typos[typo]
        self.longest = max(map(len, self.typos), default=0)
        self.sounds: dict[str, str] = {}
        alike = set()
        for word in by_sound:
            if SOUND_MIN <= len(word) <= SOUND_MAX and _CJK.fullmatch(word):
                if self.sounds.setdefault(sound_of(word), word) != word:
                    alike.add(sound_of(word))  # two words sound the same: neither
        for key in alike:
            del self.sounds[key]

    def __len__(self) -> int:
        return len(self.typos)

    def fix(self, text: str) -> str:
        """Longest typo first; not where a known word crosses its edge (知识产权举|报, 国|家收)."""
        out, i = [], 0
        while i < len(text):
            for n in range(min(max(self.longest, SOUND_MAX), len(text) - i), 1, -1):
                word = self.typos.get(text[i:i + n]) or self._sounds_like(text[i:i + n])
                if word and not self._crosses(text, i, i + n):
                    out.append(word)
                    i += n
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def _sounds_like(self, run: str) -> str | None:
        if not self.sounds or len(run) < SOUND_MIN or run in self.vocab \
                or not _CJK.fullmatch(run) or jieba.dt.FREQ.get(run, 0) >= RARE:
            return None
        word = self.sounds.get(sound_of(run))
        if word is None or 2 * sum(a == b for a, b in zip(run, word)) < len(run):
            return None
        return word

    def _crosses(self, text: str, start: int, end: int) -> bool:
        """A known word that overlaps text[start:end] without containing or being inside it."""
        for j in range(max(0, start - 4), end):
            for k in range(j + 2, min(len(text), j + 5) + 1):
                if (j < start < k < end or start < j < end < k) and text[j:k] in self.vocab:
                    return True
        return False
