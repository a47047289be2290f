"""The settings of a show, declared once (:mod:`.schema`): read and checked (:mod:`.validate`), edited
keeping the user's comments (:mod:`.tomlio`) and described for users (:mod:`.reference`)."""
