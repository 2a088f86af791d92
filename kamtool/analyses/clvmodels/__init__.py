"""More purchase models for CLV: Pareto/NBD, MBG/NBD, boundary fits, intervals, model choice.

A temporary home: at the merge these modules move into ``kamtool.analyses.clv`` and
``fit_bridge`` (the only module that reaches into today's ``kamtool.analyses.clv``)
is replaced by imports from ``clv.fit`` and ``clv.bgnbd``.
"""
