"""Pictures of the exercises: poses as data, one pure drawing function, two thin painters.

    poses.toml (beside the catalogue)  --model.load_figures-->  Figure (an exercise's poses)
    Pose  --model.skeleton-->  joint positions in a unit square
    Figure/Pose  --draw.picture / draw.frame-->  primitives (lines, circles, polygons)
    primitives  --pillow_painter / tk_painter-->  a PNG, a Tk canvas

So the notification's PNG, the README's contact sheet and the guide window's animation
are drawn by the same code and never disagree. Nothing here is imported by the daemon
until a reminder is shown (cache.picture_path).
"""
