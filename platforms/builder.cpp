// Platform builder: see builder.h (in progress).
