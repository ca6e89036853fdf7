"""两个可以在课堂上一分钟内训练完的序列小任务: 逐字预测下一个字符, 以及序列分类.

Two small sequence tasks that train within a minute on a laptop:

- **next-character prediction** (字符级语言模型): a recurrent net reads a short
  string one character at a time and learns to predict the next one, until
  greedy decoding from the first character reproduces the whole string;
- **sequence classification** (序列分类): decide whether the numbers of a
  sequence sum to a positive value (``"sum_positive"``) or whether a bit
  string holds an odd number of ones (``"parity"``), from the last hidden state.

Both models are an :class:`~micrograd_cn.nn.recurrent.RNN` followed by a
linear read-out :class:`~micrograd_cn.nn.layers.Layer`, trained by BPTT with
Adam and gradient clipping.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..engine import Value, no_grad
from ..errors import fail
from ..nn.layers import Layer
from ..nn.losses import binary_cross_entropy_with_logits, cross_entropy
from ..nn.module import Module
from ..nn.optim import Adam, clip_grad_norm
from ..nn.recurrent import RNN
from ..nn.train import as_outputs, binary_accuracy


class SequenceModel(Module):
    """循环网络 + 线性读出层: 每个时间步 (或最后一步) 的隐状态 → 分数 (logits).

    A recurrent network followed by a linear read-out layer that turns a
    hidden state into ``nout`` scores (logits).
    """

    def __init__(self, nin: int, nh: int, nout: int, cell: str = "gru", seed: int | None = None) -> None:
        rng = random.Random(seed)
        self.rnn = RNN(nin, nh, cell=cell, rng=rng)
        self.readout = Layer(nh, nout, activation="linear", rng=rng, label="out.")
        self.nout = nout

    def scores(self, h: Sequence[Value]) -> list[Value]:
        """一个隐状态的 nout 个分数. The scores of one hidden state."""
        return as_outputs(self.readout(h))

    def forward(self, xs: Sequence[Sequence[float]], state: object = None) -> tuple[list[list[Value]], object]:
        """每个时间步的分数与最终状态. The scores at every time step and the final state."""
        outputs, final = self.rnn(xs, state)
        return [self.scores(h) for h in outputs], final


# ---- 逐字预测 next-character prediction ---------------------------------------------------------


def one_hot(index: int, size: int) -> list[float]:
    """独热向量: 第 index 位为 1. A one-hot vector."""
    vector = [0.0] * size
    vector[index] = 1.0
    return vector


def _argmax(values: Sequence[Value]) -> int:
    return max(range(len(values)), key=lambda k: values[k].data)


@dataclass
class CharResult:
    """逐字预测的训练结果. The result of :func:`train_next_char`.

    ``vocab`` lists the characters (index = one-hot position); ``losses`` the
    mean cross-entropy per epoch; ``generated`` the greedy decoding from the
    first character after training; ``seconds`` the training time.
    """

    model: SequenceModel
    text: str
    vocab: list[str]
    losses: list[float] = field(default_factory=list)
    generated: str = ""
    seconds: float = 0.0

    @property
    def reproduced(self) -> bool:
        """贪心解码是否完整复现了原文. Whether greedy decoding reproduces the text."""
        return self.generated == self.text

    def generate(self, first: str | None = None, length: int | None = None) -> str:
        """从 first 开始贪心解码 length 个字符 (默认: 原文的首字与长度). Greedy decoding."""
        return generate(self.model, self.vocab, first or self.text[0], length or len(self.text))


def generate(model: SequenceModel, vocab: Sequence[str], first: str, length: int) -> str:
    """贪心解码: 输入一个字符, 取分数最大的字符作为下一个输入, 共 length 个字符.

    Greedy decoding: feed a character, take the highest-scoring next
    character, feed that, and so on until ``length`` characters.
    """
    if first not in vocab:
        fail(ValueError, f"generate: 字符 {first!r} 不在词表 {list(vocab)} 中",
             f"generate: character {first!r} is not in the vocabulary {list(vocab)}")
    text, state = first, None
    with no_grad():
        while len(text) < length:
            scores, state = model([one_hot(vocab.index(text[-1]), len(vocab))], state)
            text += vocab[_argmax(scores[0])]
    return text


def train_next_char(text: str = "hello world", nh: int = 12, cell: str = "gru", lr: float = 0.05,
                    max_epochs: int = 300, max_norm: float = 5.0, seed: int = 0) -> CharResult:
    """训练字符级循环网络预测下一个字符, 直到从首字贪心解码能复现 text (或到 max_epochs).

    Train a character-level recurrent model on ``text``: at every step the
    input is the one-hot current character and the target the next one; the
    loss is the mean cross-entropy over the ``len(text) − 1`` steps, one
    BPTT pass and one Adam step per epoch, gradients clipped to ``max_norm``.
    Training stops as soon as greedy decoding from the first character
    reproduces ``text``.
    """
    if not isinstance(text, str) or len(text) < 2:
        fail(ValueError, f"train_next_char: text 至少要有两个字符, 收到 {text!r}",
             f"train_next_char: text needs at least two characters, got {text!r}")
    started = time.perf_counter()
    vocab = sorted(set(text))
    model = SequenceModel(len(vocab), nh, len(vocab), cell=cell, seed=seed)
    result = CharResult(model=model, text=text, vocab=vocab)
    optimizer = Adam(model.parameters(), lr=lr)
    inputs = [one_hot(vocab.index(ch), len(vocab)) for ch in text[:-1]]
    targets = [vocab.index(ch) for ch in text[1:]]
    for _ in range(max_epochs):
        scores, _ = model(inputs)
        loss = cross_entropy(scores, targets)
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm(optimizer.params, max_norm)
        optimizer.step()
        result.losses.append(loss.data)
        if all(_argmax(s) == t for s, t in zip(scores, targets)):  # 强制输入下已全对. Right with teacher forcing.
            result.generated = result.generate()
            if result.reproduced:
                break
    result.generated = result.generate()
    result.seconds = time.perf_counter() - started
    return result


# ---- 序列分类 sequence classification -----------------------------------------------------------

TASK_SETTINGS = {
    "sum_positive": {"length": 6, "count": 100, "nh": 4, "epochs": 8, "batch": 10},
    "parity": {"length": 4, "count": 64, "nh": 8, "epochs": 30, "batch": 8},
}
"""每个任务的默认设置 (在本机都能一分钟内训练完). Default settings per task (each trains within a minute)."""
TASKS = tuple(TASK_SETTINGS)


def _checked_task(task: str) -> str:
    if task not in TASKS:
        fail(ValueError, f"序列分类任务只能是 {TASKS}, 收到 {task!r}",
             f"the sequence task must be one of {TASKS}, got {task!r}")
    return task


def make_sequences(task: str = "sum_positive", count: int = 100, length: int = 6,
                   seed: int = 0) -> list[tuple[list[list[float]], int]]:
    """生成 count 条长度为 length 的序列及其类别 (0/1). Labelled sequences for a task.

    - ``"sum_positive"``: numbers from U(−1, 1); class 1 when their sum is > 0.
    - ``"parity"``: bits 0/1; class 1 when the number of ones is odd.
    """
    _checked_task(task)
    rng = random.Random(seed)
    data = []
    for _ in range(count):
        if task == "sum_positive":
            xs = [rng.uniform(-1.0, 1.0) for _ in range(length)]
            label = int(sum(xs) > 0)
        else:
            xs = [float(rng.randint(0, 1)) for _ in range(length)]
            label = int(sum(xs)) % 2
        data.append(([[x] for x in xs], label))
    return data


@dataclass
class ClassifierResult:
    """序列分类的训练结果. The result of :func:`train_sequence_classifier`."""

    model: SequenceModel
    task: str
    losses: list[float] = field(default_factory=list)
    train_accuracy: float = 0.0
    test_accuracy: float = 0.0
    seconds: float = 0.0


def accuracy(model: SequenceModel, data: Sequence[tuple[list[list[float]], int]]) -> float:
    """最后一步的分数 > 0 即判为类别 1; 返回正确率. Accuracy of the sign of the last step's score."""
    with no_grad():
        scores = [model(xs)[0][-1][0].data for xs, _ in data]
    return binary_accuracy(scores, [label for _, label in data])


def train_sequence_classifier(task: str = "sum_positive", length: int | None = None, count: int | None = None,
                              nh: int | None = None, cell: str = "gru", lr: float = 0.05, epochs: int | None = None,
                              batch: int | None = None, max_norm: float = 5.0, seed: int = 0) -> ClassifierResult:
    """训练序列分类器: 读完整个序列后, 用最后的隐状态给出一个分数, 以 BCE 训练.

    Train a many-to-one classifier: the recurrent net reads the sequence and
    the read-out of its last hidden state is a logit, trained with binary
    cross-entropy (``binary_cross_entropy_with_logits``) in mini-batches of
    ``batch`` sequences with Adam and gradient clipping.  Accuracy is
    measured on the training set and on a fresh test set of the same size.
    Settings left as None come from ``TASK_SETTINGS[task]``: parity (an XOR
    of all bits) needs a wider net and more epochs than a running sum.
    """
    started = time.perf_counter()
    settings = dict(TASK_SETTINGS[_checked_task(task)])
    given = {"length": length, "count": count, "nh": nh, "epochs": epochs, "batch": batch}
    settings.update({name: value for name, value in given.items() if value is not None})
    length, count, nh, epochs, batch = (settings[name] for name in ("length", "count", "nh", "epochs", "batch"))
    train = make_sequences(task, count, length, seed)
    test = make_sequences(task, count, length, seed + 1)
    model = SequenceModel(1, nh, 1, cell=cell, seed=seed)
    result = ClassifierResult(model=model, task=task)
    optimizer = Adam(model.parameters(), lr=lr)
    order = random.Random(seed)
    for _ in range(epochs):
        order.shuffle(train)
        total = 0.0
        for start in range(0, len(train), batch):
            chunk = train[start:start + batch]
            logits = [model(xs)[0][-1][0] for xs, _ in chunk]
            loss = binary_cross_entropy_with_logits(logits, [label for _, label in chunk])
            optimizer.zero_grad()
            loss.backward()
            clip_grad_norm(optimizer.params, max_norm)
            optimizer.step()
            total += loss.data * len(chunk)
        result.losses.append(total / len(train))
    result.train_accuracy = accuracy(model, train)
    result.test_accuracy = accuracy(model, test)
    result.seconds = time.perf_counter() - started
    return result
