"""The SOP engine: definitions as data, and the stage kinds that run them. Pure.

    model.py        what a definition says (SopDef, StageDef, StepDef, Naskah)
    definition.py   reading a definition from its TOML data, with every problem found
    kinds/          one module per stage kind (disposisi, pengumpulan, draf, paraf,
                    tanda-tangan, arsip): what a drop into its folder decides, what the
                    stage issues when the flow reaches it
    registry.py     the one table of stage kinds
    flow.py         a drop's whole outcome: its stage, then every stage the flow reaches
    routing.py      which SOP, stage and role a folder belongs to
    timeline.py     when each step started, ended, falls due
    ports.py        what a decision may ask of the shell (facts of a drop, the cases)

Nothing here touches the disk, the clock, a subprocess or the network: the shell passes the
facts in and does what the returned `Outcome` says.
"""
