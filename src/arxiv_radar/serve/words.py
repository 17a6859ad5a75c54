"""Words too common in English or in abstracts to say what a paper is about.

Used to pick a paper's distinctive words (similar papers) and a topic's new terms (trends).
"""

STOPWORDS = frozenset("""
a about above across after again against all almost along also although always among an and another any
are around as at be because been before being below between both but by can cannot could did do does
doing done down during each either else even ever every few for from further had has have having he her
here hers him his how however i if in into is it its itself just least less like made make many may me
might more most much must my neither no nor not now of off often on once one only or other others our
out over own per perhaps rather same she should since so some such than that the their them then there
these they this those though through thus to too two under until up upon us use used uses using very
via was we well were what when where whether which while who whom whose why will with within without
would yet you your three four five first second third new based show shows shown propose proposed
proposes present presents presented paper papers approach approaches method methods result results
study studies work works provide provides provided problem problems model models data task tasks
existing different various several number large small high low well significant significantly achieve
achieves achieved demonstrate demonstrates demonstrated introduce introduces introduced however further
furthermore moreover therefore specifically recent recently state performance experiments experimental
extensive effective effectively efficient efficiently novel framework frameworks key main important
analysis analyze consider considered obtain obtained given allow allows able general case cases order
terms term respect following finally also good better best able including include includes set sets
""".split())
