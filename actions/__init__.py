import sys

# spaCy's thinc imports TensorFlow whenever it is installed (Rasa needs it; actions do not):
# blocking it here saves the action server ~2 s of start-up and several hundred MB.
sys.modules.setdefault("tensorflow", None)
