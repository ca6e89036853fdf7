"""最小的冒烟测试: e = (a+b)(b+1). Smoke test of the seed's example."""

import micrograd_cn as mg


def test_chain_rule_example(worked_examples):
    ref = worked_examples["chain_rule_e"]
    a = mg.Value(ref["inputs"]["a"], "a")
    b = mg.Value(ref["inputs"]["b"], "b")
    e = (a + b) * (b + 1)
    e.backward()
    assert e.data == ref["values"]["e"]
    assert (a.grad, b.grad) == (ref["grads"]["a"], ref["grads"]["b"])
