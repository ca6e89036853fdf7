"""记录的反向传播及其分析: 逐步堆放的记录、路径和、节点解释、典型错误诊断、手推梯度检查、误差项 δ.

The recorded backward pass and what is read from it: the accumulation steps,
path sums, node explanations, diagnoses of typical mistakes, the checker for
hand-derived gradients, layer deltas.  May import the core and ``nn``; never
``viz``, ``classroom`` or ``app`` (drawing sits above this layer).
"""
