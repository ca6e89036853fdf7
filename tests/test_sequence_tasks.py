"""序列小任务: 逐字预测直到复现原文, 以及序列分类 (和是否为正, 奇偶校验).

Small sequence tasks: next-character prediction until the string is
reproduced, and sequence classification (positive sum, parity).
"""

from __future__ import annotations

import pytest
from micrograd_cn.sequence_tasks import (
    TASKS,
    generate,
    make_sequences,
    one_hot,
    train_next_char,
    train_sequence_classifier,
)


@pytest.mark.parametrize(("text", "cell"), [("hello world", "gru"), ("反向传播算法", "lstm"), ("hello", "rnn")])
def test_next_char_reproduces_the_string(text: str, cell: str) -> None:
    result = train_next_char(text, cell=cell, seed=0)
    assert result.reproduced, result.generated
    assert result.generate() == text
    assert result.losses[-1] < result.losses[0]
    assert result.vocab == sorted(set(text))
    assert result.seconds < 60


def test_an_untrained_model_does_not_reproduce() -> None:
    result = train_next_char("hello world", max_epochs=1, seed=0)
    assert not result.reproduced
    assert len(result.generated) == len("hello world")


def test_generate_checks_its_first_character() -> None:
    result = train_next_char("abab", max_epochs=1, seed=0)
    with pytest.raises(ValueError, match="vocabulary"):
        generate(result.model, result.vocab, "z", 3)
    assert len(result.generate("b", 7)) == 7


def test_sum_positive_classifier_learns() -> None:
    result = train_sequence_classifier("sum_positive", count=50, length=5, epochs=5, seed=0)
    assert result.train_accuracy >= 0.9
    assert result.test_accuracy >= 0.8  # 新数据 fresh sequences
    assert result.losses[-1] < result.losses[0]


def test_parity_classifier_learns_short_strings() -> None:
    result = train_sequence_classifier("parity", length=3, count=40, nh=6, epochs=12, batch=4, seed=0)
    assert result.train_accuracy == 1.0 and result.test_accuracy == 1.0


def test_datasets_and_errors() -> None:
    data = make_sequences("parity", count=20, length=5, seed=1)
    assert all(label == int(sum(x[0] for x in xs)) % 2 for xs, label in data)
    data = make_sequences("sum_positive", count=20, length=3, seed=1)
    assert all(label == int(sum(x[0] for x in xs) > 0) for xs, label in data)
    assert set(TASKS) == {"sum_positive", "parity"}
    assert one_hot(2, 4) == [0.0, 0.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="task"):
        make_sequences("sorting")
    with pytest.raises(ValueError, match="two characters"):
        train_next_char("a")
